using VmNet.Testing;

namespace VmNet.Corpus.Tests;

/// <summary>Determinism, reuse and option checking of <see cref="CorpusGenerator"/>.</summary>
public sealed class CorpusGenerationTests
{
    [Fact]
    public async Task Same_seed_gives_a_byte_identical_manifest_and_files()
    {
        using var a = new TempFolder("corpus-a");
        using var b = new TempFolder("corpus-b");
        var first = await CorpusGenerator.GenerateAsync(SmallCorpus.Options(a.Path), cancellationToken: TestContext.Current.CancellationToken);
        var second = await CorpusGenerator.GenerateAsync(
            SmallCorpus.Options(b.Path) with { MaxParallelism = 1 }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(File.ReadAllBytes(a.File(CorpusManifest.FileName)), File.ReadAllBytes(b.File(CorpusManifest.FileName)));
        Assert.Equal(first.Items.Count, second.Items.Count);
        foreach (var (x, y) in first.Items.Zip(second.Items))
        {
            Assert.Equal(MediaProbe.Sha256(first.PathOf(x)), MediaProbe.Sha256(second.PathOf(y)));
        }
    }

    [Fact]
    public void Different_seeds_give_different_corpora()
    {
        var one = CorpusGenerator.Plan(SmallCorpus.Options("/tmp/unused", pairs: 20, seed: 1));
        var two = CorpusGenerator.Plan(SmallCorpus.Options("/tmp/unused", pairs: 20, seed: 2));
        Assert.NotEqual(one.ToJsonBytes(), two.ToJsonBytes());
        Assert.NotEqual(one.Items.Select(i => i.Factors.TempoBpm), two.Items.Select(i => i.Factors.TempoBpm));
        Assert.NotEqual(one.Items.Select(i => i.Cluster), two.Items.Select(i => i.Cluster));
    }

    [Fact]
    public async Task A_complete_corpus_is_reused_and_a_missing_file_is_rendered_alone()
    {
        using var folder = new TempFolder("corpus-reuse");
        var options = SmallCorpus.Options(folder.Path);
        var first = await CorpusGenerator.GenerateAsync(options, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(first.Reused);
        var written = first.Items.ToDictionary(i => i.File, i => File.GetLastWriteTimeUtc(first.PathOf(i)));
        var hashes = first.Items.ToDictionary(i => i.File, i => MediaProbe.Sha256(first.PathOf(i)));

        var progress = new List<CorpusProgress>();
        var again = await CorpusGenerator.GenerateAsync(options, new Recorder(progress), TestContext.Current.CancellationToken);
        Assert.True(again.Reused);
        Assert.All(again.Items, i => Assert.Equal(written[i.File], File.GetLastWriteTimeUtc(again.PathOf(i))));
        Assert.Equal(0, progress[^1].Rendered);

        var lost = first.Items[1];
        File.Delete(first.PathOf(lost));
        progress.Clear();
        var repaired = await CorpusGenerator.GenerateAsync(options, new Recorder(progress), TestContext.Current.CancellationToken);
        Assert.False(repaired.Reused);
        Assert.Equal(1, progress[^1].Rendered);
        Assert.Equal(repaired.Items.Count, progress[^1].Done);
        Assert.Equal(hashes[lost.File], MediaProbe.Sha256(repaired.PathOf(lost)));
        Assert.True(CorpusManifest.Load(folder.Path).Items.All(i => File.Exists(repaired.PathOf(i))));
    }

    [Fact]
    public async Task Changed_options_regenerate_remove_stale_files_and_keep_item_factors()
    {
        using var folder = new TempFolder("corpus-change");
        var larger = await CorpusGenerator.GenerateAsync(
            SmallCorpus.Options(folder.Path, pairs: 3, musicOnly: 0, videoOnly: 0), cancellationToken: TestContext.Current.CancellationToken);
        var smaller = await CorpusGenerator.GenerateAsync(
            SmallCorpus.Options(folder.Path, pairs: 2, musicOnly: 0, videoOnly: 0), cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(smaller.Reused);
        Assert.Equal(2, CorpusManifest.Load(folder.Path).Recipe.Pairs);
        Assert.False(File.Exists(larger.PathOf(larger.Items[2])));
        // Item i of a kind draws from its own stream: counts do not change it.
        Assert.Equal(larger.Items[0].Factors, smaller.Items[0].Factors);
        Assert.Equal(larger.Items[1].Video, smaller.Items[1].Video);
    }

    [Theory]
    [InlineData(0, 1.0, "pairs")]
    [InlineData(-3, 1.0, "pairs")]
    [InlineData(2, 0.0, "seconds")]
    [InlineData(2, -1.0, "seconds")]
    [InlineData(2, double.NaN, "seconds")]
    public async Task Bad_options_are_refused_with_the_option_named(int pairs, double seconds, string named)
    {
        using var folder = new TempFolder("corpus-bad");
        var options = SmallCorpus.Options(folder.Path) with { Pairs = pairs, Seconds = seconds };
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CorpusGenerator.GenerateAsync(options));
        Assert.StartsWith(named, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task An_unwritable_output_directory_is_a_clear_error()
    {
        using var folder = new TempFolder("corpus-unwritable");
        // A folder beneath a regular file cannot be created, even by root.
        File.WriteAllText(folder.File("file"), "not a folder");
        var options = SmallCorpus.Options(Path.Combine(folder.Path, "file", "corpus"));
        var error = await Assert.ThrowsAsync<CorpusException>(() => CorpusGenerator.GenerateAsync(options));
        Assert.Contains("cannot write to the output directory", error.Message, StringComparison.Ordinal);
        Assert.Contains(options.OutputDirectory, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Manifests_are_checked_when_loaded()
    {
        using var folder = new TempFolder("corpus-load");
        Assert.Throws<FileNotFoundException>(() => CorpusManifest.Load(folder.Path));
        File.WriteAllText(folder.File(CorpusManifest.FileName), "{\"format\":\"something-else\",\"items\":[]}");
        Assert.Throws<InvalidDataException>(() => CorpusManifest.Load(folder.Path));
        File.WriteAllText(folder.File(CorpusManifest.FileName), "not json");
        Assert.Throws<InvalidDataException>(() => CorpusManifest.Load(folder.Path));

        var plan = CorpusGenerator.Plan(SmallCorpus.Options(folder.Path));
        var escaping = plan.Items[0] with { File = "../../etc/passwd" };
        Assert.Throws<VmNet.Media.UnsafePathException>(() => plan.PathOf(escaping));
    }

    private sealed class Recorder(List<CorpusProgress> into) : IProgress<CorpusProgress>
    {
        public void Report(CorpusProgress value) => into.Add(value);
    }
}
