using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Storage.Tests;

/// <summary>
/// What every <see cref="IFeatureCatalogue"/> must do. Each implementation runs it through a subclass
/// (<see cref="SqliteFeatureCatalogueTests"/>, <see cref="PostgresFeatureCatalogueTests"/>); a member added to the
/// interface gets its facts here, once.
/// </summary>
public abstract partial class FeatureCatalogueContract
{
    private static readonly DateTimeOffset FailedAt = new(2025, 3, 4, 5, 6, 7, 891, TimeSpan.Zero);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A catalogue over the same backing store as every earlier call in this test (another process, a restart).</summary>
    protected abstract Task<IFeatureCatalogue> OpenAsync();

    [Fact]
    public async Task BothHalvesMakeAPairWithTheirFeaturesExactlyAsWritten()
    {
        var catalogue = await OpenAsync();
        float[] music = [0.25f, -1.5f, 3.125f, float.Epsilon];
        float[] video = [1e-7f, 2f, -0f];
        await catalogue.UpsertMusicAsync("a", MediaKind.Music, music, "audio-1", 30, 121.5, Ct);
        await catalogue.UpsertVideoAsync("a", MediaKind.Video, video, "video-1", 31, Ct);

        var item = await catalogue.GetAsync("a", Ct);
        Assert.NotNull(item);
        Assert.Equal((MediaKind.Pair, 31.0, (double?)121.5, "audio-1", "video-1"), (item.Kind, item.DurationSeconds, item.TempoBpm, item.MusicExtractorVersion, item.VideoExtractorVersion));
        Assert.Equal(music, item.MusicFeatures);
        Assert.Equal(video, item.VideoFeatures);
        Assert.Null(item.MusicFailure);
        Assert.Null(item.VideoFailure);
        Assert.InRange(item.UpdatedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task OneHalfAloneKeepsItsOwnKindAndAMissingItemIsNull()
    {
        var catalogue = await OpenAsync();
        await catalogue.UpsertMusicAsync("m", MediaKind.Music, [1f], "audio-1", 10, null, Ct);
        await catalogue.UpsertVideoAsync("v", MediaKind.Video, [2f], "video-1", 12, Ct);

        var music = await catalogue.GetAsync("m", Ct);
        var video = await catalogue.GetAsync("v", Ct);
        Assert.Equal((MediaKind.Music, (double?)null, true), (music!.Kind, music.TempoBpm, music.VideoFeatures is null));
        Assert.Equal((MediaKind.Video, true), (video!.Kind, video.MusicFeatures is null));
        Assert.Null(await catalogue.GetAsync("nothing", Ct));
    }

    [Fact]
    public async Task RepeatingAnUpsertChangesNothingButTheTimeAndALaterOneReplacesTheHalf()
    {
        var catalogue = await OpenAsync();
        for (var i = 0; i < 3; i++)
        {
            await catalogue.UpsertMusicAsync("x", MediaKind.Music, [1f, 2f], "audio-1", 10, 90, Ct);
        }

        Assert.Equal(1, await catalogue.CountAsync(null, Ct));
        await catalogue.UpsertMusicAsync("x", MediaKind.Music, [3f, 4f], "audio-2", 11, 95, Ct);
        var item = await catalogue.GetAsync("x", Ct);
        Assert.Equal([3f, 4f], item!.MusicFeatures!);
        Assert.Equal(("audio-2", 11.0, (double?)95), (item.MusicExtractorVersion!, item.DurationSeconds, item.TempoBpm));
        Assert.Equal(1, await catalogue.CountAsync(null, Ct));
    }

    [Fact]
    public async Task TheKindIngestRecordedWinsAndAPairStaysAPair()
    {
        var catalogue = await OpenAsync();
        await catalogue.RecordKindAsync("p", MediaKind.Pair, 20, Ct);
        await catalogue.UpsertMusicAsync("p", MediaKind.Music, [1f], "audio-1", 20, null, Ct);
        Assert.Equal(MediaKind.Pair, (await catalogue.GetAsync("p", Ct))!.Kind);

        // The same bytes ingested again as music must not take the pair out of the training set.
        await catalogue.RecordKindAsync("p", MediaKind.Music, 20, Ct);
        Assert.Equal(MediaKind.Pair, (await catalogue.GetAsync("p", Ct))!.Kind);

        // A video-only upload that also has audio features stays video: ingest said so.
        await catalogue.RecordKindAsync("u", MediaKind.Video, 0, Ct);
        await catalogue.UpsertVideoAsync("u", MediaKind.Video, [1f], "video-1", 9, Ct);
        await catalogue.UpsertMusicAsync("u", MediaKind.Music, [1f], "audio-1", 9, null, Ct);
        var upload = await catalogue.GetAsync("u", Ct);
        Assert.Equal((MediaKind.Video, 9.0), (upload!.Kind, upload.DurationSeconds));
    }

    [Fact]
    public async Task AFailedHalfIsKeptBesideTheOtherAndItsFeaturesClearIt()
    {
        var catalogue = await OpenAsync();
        await catalogue.UpsertMusicAsync("f", MediaKind.Pair, [1f, 2f], "audio-1", 30, null, Ct);
        await catalogue.RecordFailureAsync("f", Modality.Video, "no video stream", FailedAt, Ct);

        var failed = await catalogue.GetAsync("f", Ct);
        Assert.Equal(new ExtractionFailure("no video stream", FailedAt), failed!.VideoFailure);
        Assert.Null(failed.MusicFailure);
        Assert.Equal([1f, 2f], failed.MusicFeatures!);

        await catalogue.UpsertVideoAsync("f", MediaKind.Pair, [3f], "video-1", 30, Ct);
        var cleared = await catalogue.GetAsync("f", Ct);
        Assert.Null(cleared!.VideoFailure);
        Assert.Equal(MediaKind.Pair, cleared.Kind);
    }

    [Fact]
    public async Task TheSameFailureTwiceChangesNothingAndANewOneReplacesIt()
    {
        var catalogue = await OpenAsync();
        await catalogue.UpsertMusicAsync("g", MediaKind.Music, [1f], "audio-1", 30, null, Ct);
        await catalogue.RecordFailureAsync("g", Modality.Video, "bad", FailedAt, Ct);
        var before = await catalogue.GetAsync("g", Ct);
        await catalogue.RecordFailureAsync("g", Modality.Video, "bad", FailedAt, Ct);
        var after = await catalogue.GetAsync("g", Ct);
        Assert.Equal(before!.UpdatedAt, after!.UpdatedAt);
        Assert.Equal(before.VideoFailure, after.VideoFailure);

        await catalogue.RecordFailureAsync("g", Modality.Video, "worse", FailedAt.AddSeconds(1), Ct);
        Assert.Equal(new ExtractionFailure("worse", FailedAt.AddSeconds(1)), (await catalogue.GetAsync("g", Ct))!.VideoFailure);
    }

    [Fact]
    public async Task AnItemWithoutFeaturesIsFoundByIdButNeitherListedNorCounted()
    {
        var catalogue = await OpenAsync();
        await catalogue.RecordFailureAsync("only-failure", Modality.Music, "decode failed", FailedAt, Ct);
        await catalogue.RecordKindAsync("only-kind", MediaKind.Pair, 12, Ct);

        var failure = await catalogue.GetAsync("only-failure", Ct);
        Assert.Equal((MediaKind.Music, new ExtractionFailure("decode failed", FailedAt)), (failure!.Kind, failure.MusicFailure!));
        Assert.Equal(MediaKind.Pair, (await catalogue.GetAsync("only-kind", Ct))!.Kind);
        Assert.Equal(0, await catalogue.CountAsync(null, Ct));
        Assert.Empty(await ListAsync(catalogue, null));
    }

    [Fact]
    public async Task ListingIsInMediaIdOrderAndFiltersByKindAsCountDoes()
    {
        var catalogue = await OpenAsync();
        // Upper and lower case, digits and hex: byte order, not a locale's.
        string[] ids = ["b2", "a1", "B3", "c0", "0f", "_z"];
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            await catalogue.UpsertMusicAsync(id, MediaKind.Music, [i + 1f], "audio-1", 10, null, Ct);
            if (i % 2 == 0)
            {
                await catalogue.UpsertVideoAsync(id, MediaKind.Video, [i + 1f], "video-1", 10, Ct);
            }
        }

        var all = await ListAsync(catalogue, null);
        Assert.Equal(ids.Order(StringComparer.Ordinal), all.Select(i => i.MediaId));
        var pairs = await ListAsync(catalogue, MediaKind.Pair);
        Assert.Equal(new[] { "b2", "B3", "0f" }.Order(StringComparer.Ordinal), pairs.Select(i => i.MediaId));
        Assert.Equal((6, 3, 3, 0), (await catalogue.CountAsync(null, Ct), await catalogue.CountAsync(MediaKind.Pair, Ct),
            await catalogue.CountAsync(MediaKind.Music, Ct), await catalogue.CountAsync(MediaKind.Video, Ct)));
    }

    [Fact]
    public async Task EmptyOrNonFiniteFeaturesAndBlankIdsAreRefused()
    {
        var catalogue = await OpenAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => catalogue.UpsertMusicAsync("n", MediaKind.Music, [], "audio-1", 1, null, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => catalogue.UpsertVideoAsync("n", MediaKind.Video, [float.NaN], "video-1", 1, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => catalogue.UpsertMusicAsync(" ", MediaKind.Music, [1f], "audio-1", 1, null, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => catalogue.RecordFailureAsync("", Modality.Music, "x", FailedAt, Ct));
        Assert.Null(await catalogue.GetAsync("n", Ct));
    }

    [Fact]
    public async Task SeveralProcessesOpeningAtOnceShareOneCatalogueAndLoseNoWrite()
    {
        // Roles start together (embedder, trainer, search on several machines): the schema step must not race, and
        // the two halves of one item written at once by two of them both stay.
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(OpenAsync, Ct)));
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? opened[i % 4].UpsertMusicAsync($"item-{i / 2:00}", MediaKind.Pair, [i], "audio-1", 10, null, Ct)
            : opened[i % 4].UpsertVideoAsync($"item-{i / 2:00}", MediaKind.Pair, [i], "video-1", 10, Ct)));

        var reopened = await OpenAsync();
        var items = await ListAsync(reopened, MediaKind.Pair);
        Assert.Equal(20, items.Count);
        Assert.All(items, item => Assert.True(item.MusicFeatures is not null && item.VideoFeatures is not null, item.MediaId));
    }

    private static async Task<List<CatalogueItem>> ListAsync(IFeatureCatalogue catalogue, MediaKind? kind)
    {
        var items = new List<CatalogueItem>();
        await foreach (var item in catalogue.ListAsync(kind, Ct))
        {
            items.Add(item);
        }

        return items;
    }
}
