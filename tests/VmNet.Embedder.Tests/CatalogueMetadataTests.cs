using System.Collections.Immutable;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Storage;
using VmNet.Testing;

namespace VmNet.Embedder.Tests;

/// <summary>Who each item is, from <see cref="MediaIngested"/> into the SQLite catalogue.</summary>
public sealed class CatalogueMetadataTests
{
    private static readonly ImmutableDictionary<string, string> Calm = ImmutableDictionary<string, string>.Empty.Add("mood", "calm");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MetadataOnMediaIngestedIsStoredAndFoundByExternalId()
    {
        await using var h = await EmbedderHarness.StartAsync();
        var id = EmbedderHarness.Id(11);
        var about = new MediaMetadata("clip.mp4", "Title", "Artist", "Album", "ext-11", Calm);
        await h.Harness.Bus.Publish(h.Ingested(id, MediaKind.Pair, "/x/clip.mp4", about), Ct);
        await h.PublishMusicAsync(id, seed: 11);
        await h.ConsumedAsync<MediaIngested>(id);
        await h.ConsumedAsync<AudioFeaturesExtracted>(id);

        Assert.Equal(about, (await h.Catalogue.GetAsync(id, Ct))!.Metadata);
        var found = await h.Catalogue.FindByExternalIdAsync("ext-11", Ct);
        Assert.Equal(id, found!.MediaId);
        Assert.Equal(about, (await h.Catalogue.ListAsync(null, Ct).SingleAsync(Ct)).Metadata);
        Assert.Null(await h.Catalogue.FindByExternalIdAsync("ext-12", Ct));
        Assert.False(await h.Harness.Published.Any<Fault<MediaIngested>>(Ct));
    }

    [Fact]
    public async Task AForgedMessageWithBadLabelsRecordsTheKindAndSourceButNotTheIdOrLabels()
    {
        await using var h = await EmbedderHarness.StartAsync();
        var id = EmbedderHarness.Id(12);
        var forged = new MediaMetadata("x", ExternalId: "ok", Labels: ImmutableDictionary<string, string>.Empty.Add("k", "<script>"));
        await h.Harness.Bus.Publish(h.Ingested(id, MediaKind.Video, "x", forged), Ct);
        await h.ConsumedAsync<MediaIngested>(id);
        await h.SettleAsync();

        // The consumer's own check drops the id and labels and keeps the rest (the catalogue's check would throw).
        var item = await h.Catalogue.GetAsync(id, Ct);
        Assert.Equal(MediaKind.Video, item!.Kind);
        Assert.Equal(new MediaMetadata("x"), item.Metadata);
        Assert.Null(await h.Catalogue.FindByExternalIdAsync("ok", Ct));
    }

    [Fact]
    public async Task ACatalogueWrittenBeforeMetadataIsMigratedAndKeepsItsItems()
    {
        using var folder = new TempFolder("catalogue-migration");
        var data = new DataDirectory(folder.Path);
        var id = EmbedderHarness.Id(41);
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(data.Store, "catalogue.db")}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // The table as the release before metadata left it (failures recorded, no metadata columns).
            command.CommandText = """
                CREATE TABLE items (
                    media_id TEXT PRIMARY KEY, kind INTEGER NOT NULL, kind_known INTEGER NOT NULL DEFAULT 0,
                    duration REAL NOT NULL, tempo REAL NULL,
                    music BLOB NULL, music_version TEXT NULL, video BLOB NULL, video_version TEXT NULL,
                    updated_at TEXT NOT NULL,
                    music_failure TEXT NULL, music_failed_at TEXT NULL, video_failure TEXT NULL, video_failed_at TEXT NULL);
                INSERT INTO items (media_id, kind, kind_known, duration, video, video_version, updated_at)
                VALUES ($id, 1, 1, 30, $video, 'old-video', '2024-01-01T00:00:00.0000000+00:00');
                """;
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$video", new byte[] { 0, 0, 128, 63 });
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => new SqliteFeatureCatalogue(data), Ct)));
            var old = await opened[0].GetAsync(id, Ct);
            Assert.Null(old!.Metadata);
            Assert.Equal([1f], old.VideoFeatures!);

            await opened[1].RecordMetadataAsync(id, new MediaMetadata("old.mp4", ExternalId: "old-1"), Ct);
            Assert.Equal(id, (await new SqliteFeatureCatalogue(data).FindByExternalIdAsync("old-1", Ct))!.MediaId);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }
}

/// <summary>
/// What every <see cref="IFeatureCatalogue"/> must do with metadata. Each implementation runs it through a subclass
/// (<see cref="SqliteCatalogueMetadataContract"/> here), so SQLite and any other catalogue are held to the same tests.
/// </summary>
public abstract class CatalogueMetadataContract : IAsyncLifetime
{
    protected static readonly ImmutableDictionary<string, string> Calm = ImmutableDictionary<string, string>.Empty.Add("mood", "calm");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected IFeatureCatalogue Catalogue { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Catalogue = await OpenAsync();

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>An empty catalogue of its own.</summary>
    protected abstract Task<IFeatureCatalogue> OpenAsync();

    [Fact]
    public async Task AbsentFieldsKeepWhatIsStoredAndAnExternalIdMovesToTheItemThatTakesIt()
    {
        var catalogue = Catalogue;
        var (a, b) = (EmbedderHarness.Id(21), EmbedderHarness.Id(22));
        await catalogue.RecordMetadataAsync(a, new MediaMetadata("a.mp4", "A", "Artist A", null, "shared-id", Calm), Ct);
        await catalogue.RecordMetadataAsync(b, new MediaMetadata("b.mp4", "B"), Ct);

        // Re-ingest of a without tags or labels: the stored ones stay, the source is replaced.
        await catalogue.RecordMetadataAsync(a, new MediaMetadata("a-again.mp4"), Ct);
        Assert.Equal(new MediaMetadata("a-again.mp4", "A", "Artist A", null, "shared-id", Calm), (await catalogue.GetAsync(a, Ct))!.Metadata);

        // The platform gives its id to b: one item per external id, and a keeps the rest of its metadata.
        await catalogue.RecordMetadataAsync(b, new MediaMetadata(ExternalId: "shared-id"), Ct);
        Assert.Equal(b, (await catalogue.FindByExternalIdAsync("shared-id", Ct))!.MediaId);
        Assert.Equal(new MediaMetadata("a-again.mp4", "A", "Artist A", null, null, Calm), (await catalogue.GetAsync(a, Ct))!.Metadata);
    }

    [Fact]
    public async Task TheCatalogueRefusesLabelsIngestWouldRefuse()
    {
        var catalogue = Catalogue;

        await Assert.ThrowsAsync<ArgumentException>(() => catalogue.RecordMetadataAsync(
            EmbedderHarness.Id(31), new MediaMetadata(Labels: ImmutableDictionary<string, string>.Empty.Add("Bad Key", "v")), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => catalogue.RecordMetadataAsync(
            EmbedderHarness.Id(31), new MediaMetadata(ExternalId: "a\nb"), Ct));
        Assert.Null(await catalogue.GetAsync(EmbedderHarness.Id(31), Ct));
    }
    [Fact]
    public async Task PagesListEveryMatchingItemOnceInMediaIdOrderByKindLabelAndStatus()
    {
        var ids = Enumerable.Range(100, 7).Select(EmbedderHarness.Id).ToList();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var kind = i % 3 == 0 ? MediaKind.Video : MediaKind.Pair;
            await Catalogue.RecordKindAsync(id, kind, 10, Ct);
            await Catalogue.UpsertVideoAsync(id, kind, [1f, 2f], "v", 10, Ct);
            if (kind == MediaKind.Pair && i != 1)
            {
                await Catalogue.UpsertMusicAsync(id, kind, [3f], "m", 10, 100, Ct);
            }

            await Catalogue.RecordMetadataAsync(id, new MediaMetadata($"{i}.mp4", Labels: i % 2 == 0 ? Calm : Calm.SetItem("mood", "dark").Add("genre", "rock")), Ct);
        }

        await Catalogue.RecordFailureAsync(ids[2], Modality.Music, "no audio", DateTimeOffset.UtcNow, Ct);

        var all = new List<string>();
        string? after = null;
        do
        {
            var page = await Catalogue.ListPageAsync(new CatalogueFilter(), after, 3, Ct);
            Assert.True(page.Items.Count <= 3);
            all.AddRange(page.Items.Select(i => i.MediaId));
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal(ids.Order(StringComparer.Ordinal), all);
        async Task<IEnumerable<string>> Ids(CatalogueFilter filter) => (await Catalogue.ListPageAsync(filter, null, 100, Ct)).Items.Select(i => i.MediaId).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { ids[0], ids[2], ids[4], ids[6] }.Order(StringComparer.Ordinal), await Ids(new CatalogueFilter(Labels: Calm)));
        Assert.Equal(new[] { ids[1], ids[3], ids[5] }.Order(StringComparer.Ordinal), await Ids(new CatalogueFilter(Labels: Calm.SetItem("mood", "dark").Add("genre", "rock"))));
        Assert.Empty(await Ids(new CatalogueFilter(Labels: Calm.Add("genre", "rock"))));
        Assert.Equal(new[] { ids[0], ids[3], ids[6] }.Order(StringComparer.Ordinal), await Ids(new CatalogueFilter(MediaKind.Video)));
        // 1 is a pair without music (pending), 2 a pair whose music failed; the videos need only their video.
        Assert.Equal(new[] { ids[1] }, await Ids(new CatalogueFilter(Status: CatalogueStatus.Pending)));
        Assert.Equal(new[] { ids[2] }, await Ids(new CatalogueFilter(Status: CatalogueStatus.Failed)));
        Assert.Equal(new[] { ids[0], ids[3], ids[4], ids[5], ids[6] }.Order(StringComparer.Ordinal), await Ids(new CatalogueFilter(Status: CatalogueStatus.Ready)));
        foreach (var item in (await Catalogue.ListPageAsync(new CatalogueFilter(), null, 100, Ct)).Items)
        {
            var status = (await Catalogue.ListPageAsync(new CatalogueFilter(Status: CatalogueEntry.StatusOf(item)), null, 100, Ct)).Items;
            Assert.Contains(item.MediaId, status.Select(i => i.MediaId));
        }
    }

    [Fact]
    public async Task ALabelFilterOutsideTheRulesIsRefused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Catalogue.ListPageAsync(
            new CatalogueFilter(Labels: ImmutableDictionary<string, string>.Empty.Add("k') OR 1=1 --", "v")), null, 10, Ct));
    }
}

public sealed class SqliteCatalogueMetadataContract : CatalogueMetadataContract
{
    private readonly TempFolder _folder = new("catalogue-metadata");

    public override ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }

    protected override Task<IFeatureCatalogue> OpenAsync() =>
        Task.FromResult<IFeatureCatalogue>(new SqliteFeatureCatalogue(new DataDirectory(_folder.Path)));
}
