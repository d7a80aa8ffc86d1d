using System.Collections.Immutable;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Testing;

namespace VmNet.Ingest.Tests;

/// <summary>Who an item is: its source, its container's tags, the caller's external id and labels, on MediaIngested.</summary>
public sealed class IngestMetadataTests
{
    private static readonly ImmutableDictionary<string, string> Calm =
        ImmutableDictionary<string, string>.Empty.Add("mood", "calm").Add("genre", "rock");

    [Fact]
    public async Task Tags_external_id_and_labels_travel_on_MediaIngested()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var plain = await TestMedia.MusicVideoAsync(ingest.Media.File("plain.mp4"), seconds: 1);
        var tagged = await TestMedia.TaggedAsync(plain, ingest.Media.File("tagged.mp4"), new Dictionary<string, string>
        {
            ["title"] = "Blue Monday", ["artist"] = "New Order", ["album"] = "Power, Corruption & Lies",
        });

        var answer = await ingest.IngestAsync(new IngestRequested(Guid.NewGuid(), tagged, MediaKind.Pair, DateTimeOffset.UtcNow, "catalog:42", Calm));

        var ingested = Assert.IsType<MediaIngested>(answer);
        Assert.Equal(new MediaMetadata("tagged.mp4", "Blue Monday", "New Order", "Power, Corruption & Lies", "catalog:42", Calm), ingested.Metadata);
    }

    [Fact]
    public async Task The_same_bytes_again_keep_their_tags_and_take_the_new_external_id()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var plain = await TestMedia.MusicVideoAsync(ingest.Media.File("plain.mp4"), seconds: 1);
        var tagged = await TestMedia.TaggedAsync(plain, ingest.Media.File("tagged.mp4"), new Dictionary<string, string> { ["title"] = "Once" });

        var first = Assert.IsType<MediaIngested>(await ingest.IngestAsync(new IngestRequested(Guid.NewGuid(), tagged, MediaKind.Pair, DateTimeOffset.UtcNow, "a-1")));
        var second = Assert.IsType<MediaIngested>(await ingest.IngestAsync(new IngestRequested(Guid.NewGuid(), tagged, MediaKind.Pair, DateTimeOffset.UtcNow, "b-2")));

        Assert.Equal(first.MediaId, second.MediaId);
        Assert.Equal("Once", second.Metadata!.Title);
        Assert.Equal("b-2", second.Metadata.ExternalId);
        Assert.Null(second.Metadata.Labels);
    }

    [Fact]
    public async Task Hostile_tags_are_cleaned_and_cut()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var plain = await TestMedia.MusicVideoAsync(ingest.Media.File("plain.mp4"), seconds: 1);
        // A right-to-left override, a zero-width joiner, a terminal escape, line breaks, and far too long.
        var hostile = "Evil\u202Egnp.exe\u200D \u001b[31mred\r\nline " + new string('x', 5000);
        var tagged = await TestMedia.TaggedAsync(plain, ingest.Media.File("tagged.mp4"), new Dictionary<string, string> { ["title"] = hostile, ["artist"] = "\u0007\u0008 " });

        var ingested = Assert.IsType<MediaIngested>(await ingest.IngestAsync(tagged, MediaKind.Pair));

        var title = ingested.Metadata!.Title!;
        Assert.StartsWith("Evilgnp.exe [31mred line xxx", title, StringComparison.Ordinal);
        Assert.Equal(MediaLabels.MaxTagLength, title.Length);
        Assert.DoesNotContain(title, c => char.IsControl(c) || c is '\u202E' or '\u200D');
        Assert.Null(ingested.Metadata.Artist);
    }

    [Theory]
    [InlineData("Mood", "calm", "label key 'Mood'")]
    [InlineData("mood", "calm; rm -rf /", "label mood: value")]
    [InlineData("mood", "", "label mood: value")]
    [InlineData("mood", "a\nb", "label mood: value")]
    public async Task Bad_labels_are_refused_before_anything_is_fetched(string key, string value, string reason)
    {
        await using var ingest = await IngestHarness.StartAsync();
        var labels = ImmutableDictionary<string, string>.Empty.Add(key, value);
        // A source that would fail differently (no such file): the label's reason must come first.
        var request = new IngestRequested(Guid.NewGuid(), ingest.Media.File("missing.mp4"), MediaKind.Pair, DateTimeOffset.UtcNow, Labels: labels);

        var failed = Assert.IsType<IngestFailed>(await ingest.IngestAsync(request));

        Assert.StartsWith(reason, failed.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-starts-with-dash")]
    [InlineData("has space")]
    [InlineData("new\nline")]
    public async Task A_bad_external_id_is_refused(string externalId)
    {
        await using var ingest = await IngestHarness.StartAsync();
        var request = new IngestRequested(Guid.NewGuid(), ingest.Media.File("missing.mp4"), MediaKind.Pair, DateTimeOffset.UtcNow, externalId);

        var failed = Assert.IsType<IngestFailed>(await ingest.IngestAsync(request));

        Assert.StartsWith("external id", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_labels_are_refused()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var labels = Enumerable.Range(0, MediaLabels.MaxLabels + 1).ToImmutableDictionary(i => $"k{i}", i => "v");
        var request = new IngestRequested(Guid.NewGuid(), ingest.Media.File("missing.mp4"), MediaKind.Pair, DateTimeOffset.UtcNow, Labels: labels);

        var failed = Assert.IsType<IngestFailed>(await ingest.IngestAsync(request));

        Assert.Equal($"{MediaLabels.MaxLabels + 1} labels, at most {MediaLabels.MaxLabels} allowed", failed.Reason);
    }
}

/// <summary>The rules themselves, as the CLI, ingest and the catalogue share them.</summary>
public sealed class MediaLabelsTests
{
    [Fact]
    public void Pairs_parse_into_labels_and_the_last_of_a_repeated_key_wins()
    {
        var labels = MediaLabels.Parse(["mood=calm", "genre = rock ", "mood=dark", "licence=cc-by/4.0", "city=São Paulo"]);

        Assert.Equal(
            new Dictionary<string, string> { ["mood"] = "dark", ["genre"] = "rock", ["licence"] = "cc-by/4.0", ["city"] = "São Paulo" }.OrderBy(l => l.Key),
            labels!.OrderBy(l => l.Key));
        Assert.Null(MediaLabels.Parse([]));
    }

    [Theory]
    [InlineData("mood", "label 'mood' is not key=value")]
    [InlineData("=calm", "label '=calm' is not key=value")]
    [InlineData("mood=<script>", "label mood: value '<script>'")]
    [InlineData("x=" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "label x: value")]
    [InlineData("k\u202E=v", "label key")]
    public void A_bad_pair_says_what_is_wrong(string pair, string start)
    {
        var e = Assert.Throws<FormatException>(() => MediaLabels.Parse([pair]));

        Assert.StartsWith(start, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("yt:dQw4w9WgXcQ", true)]
    [InlineData("user@example.org/track/7+b", true)]
    [InlineData("A", true)]
    [InlineData(".hidden", false)]
    [InlineData("a b", false)]
    [InlineData("id\n", false)]
    public void External_ids_are_letters_digits_and_a_few_separators(string id, bool ok)
    {
        Assert.Equal(ok, MediaLabels.ExternalIdError(id) is null);
        Assert.NotNull(MediaLabels.ExternalIdError(new string('a', MediaLabels.MaxExternalIdLength + 1)));
        Assert.Null(MediaLabels.ExternalIdError(new string('a', MediaLabels.MaxExternalIdLength)));
    }

    [Theory]
    [InlineData("https://user:secret@example.org/v.mp4?x=1", "https://example.org/v.mp4?x=1")]
    [InlineData("dQw4w9WgXcQ", "dQw4w9WgXcQ")]
    [InlineData("/home/someone/private folder/clip.mp4", "clip.mp4")]
    [InlineData("./clip.mp4", "clip.mp4")]
    public void The_source_kept_is_the_id_the_url_without_credentials_or_the_file_name(string source, string kept)
    {
        Assert.Equal(kept, IngestSource.Display(source));
    }
}
