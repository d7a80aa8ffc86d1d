using VmNet.Testing;

namespace VmNet.Corpus.Tests;

/// <summary>The second generator recipe (<see cref="CorpusStyle.Neon"/>): deterministic per seed, and made differently from the classic one.</summary>
public sealed class NeonCorpusTests
{
    [Fact]
    public async Task Same_seed_gives_a_byte_identical_neon_corpus_and_another_seed_does_not()
    {
        using var a = new TempFolder("neon-a");
        using var b = new TempFolder("neon-b");
        var options = SmallCorpus.Options(a.Path, pairs: 2, musicOnly: 1, videoOnly: 1) with { Style = CorpusStyle.Neon };
        var first = await CorpusGenerator.GenerateAsync(options, cancellationToken: TestContext.Current.CancellationToken);
        var second = await CorpusGenerator.GenerateAsync(
            options with { OutputDirectory = b.Path, MaxParallelism = 1 }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(File.ReadAllBytes(a.File(CorpusManifest.FileName)), File.ReadAllBytes(b.File(CorpusManifest.FileName)));
        foreach (var (x, y) in first.Items.Zip(second.Items))
        {
            Assert.Equal(MediaProbe.Sha256(first.PathOf(x)), MediaProbe.Sha256(second.PathOf(y)));
        }

        var other = CorpusGenerator.Plan(options with { Seed = options.Seed + 1 });
        Assert.NotEqual(first.ToJsonBytes(), other.ToJsonBytes());
        Assert.Equal(CorpusStyle.Neon, CorpusManifest.Load(a.Path).Recipe.Style);
    }

    [Fact]
    public void Neon_items_come_from_its_own_styles_instrument_and_motif()
    {
        var neon = CorpusGenerator.Plan(SmallCorpus.Options("/tmp/unused", pairs: 60) with { Style = CorpusStyle.Neon });
        var classic = CorpusGenerator.Plan(SmallCorpus.Options("/tmp/unused", pairs: 60));

        Assert.Equal(StyleBook.NeonStyles.Select(s => s.Name), neon.Styles.Select(s => s.Name));
        Assert.Empty(neon.Styles.Select(s => s.Name).Intersect(classic.Styles.Select(s => s.Name)));
        var pairs = neon.OfKind(CorpusItemKind.Pair).ToList();
        Assert.All(pairs, p => Assert.Equal(Instrument.Pluck, p.Music!.Instrument));
        Assert.All(pairs, p => Assert.Equal(Motif.Rings, p.Video!.Motif));
        Assert.All(classic.OfKind(CorpusItemKind.Pair), p => Assert.Equal((Instrument.Pad, Motif.Stripes), (p.Music!.Instrument, p.Video!.Motif)));
        // Tempo ranges of its own: the drone style is slower, the punk style faster, than any classic style's mean.
        Assert.True(StyleBook.NeonStyles.Min(s => s.TempoBpm) < StyleBook.Styles.Min(s => s.TempoBpm));
        Assert.True(StyleBook.NeonStyles.Max(s => s.TempoBpm) > StyleBook.Styles.Max(s => s.TempoBpm));
        // Same seed, different recipe: no item shares its factors with the classic item of the same index.
        Assert.All(pairs.Zip(classic.OfKind(CorpusItemKind.Pair)), x => Assert.NotEqual(x.First.Factors, x.Second.Factors));
        Assert.Equal(StyleBook.NeonStyles.Count, pairs.Select(p => p.Cluster).Distinct().Count());
    }

    [Fact]
    public void Style_names_parse_case_insensitively_and_unknown_names_do_not()
    {
        Assert.Equal(CorpusStyle.Neon, CorpusStyles.Parse(" Neon "));
        Assert.Equal(CorpusStyle.Classic, CorpusStyles.Parse("classic"));
        Assert.Null(CorpusStyles.Parse("jazz"));
        Assert.Equal(["classic", "neon"], CorpusStyles.Names);
    }
}
