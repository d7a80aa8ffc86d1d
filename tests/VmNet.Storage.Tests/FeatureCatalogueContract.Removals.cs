using System.Collections.Immutable;
using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Storage.Tests;

/// <summary>Tombstones and deletes: what a takedown needs of every catalogue (SQLite and PostgreSQL).</summary>
public abstract partial class FeatureCatalogueContract
{
    private static Removal Tombstone(string mediaId, string? externalId = null, RemovalState state = RemovalState.Removing) =>
        new(mediaId, externalId, Guid.NewGuid(), "test", new DateTimeOffset(2026, 12, 2, 5, 0, 0, TimeSpan.Zero), state);

    [Fact]
    public async Task ATombstonedItemIsGoneFromEveryReadAtOnce()
    {
        var catalogue = await OpenAsync();
        var removals = (IRemovalLedger)catalogue;
        foreach (var id in new[] { "keep", "gone" })
        {
            await catalogue.UpsertMusicAsync(id, MediaKind.Music, [1f], "audio-1", 10, 100, Ct);
            await catalogue.RecordMetadataAsync(id, new MediaMetadata(ExternalId: "ext-" + id, Labels: ImmutableDictionary<string, string>.Empty.Add("mood", "calm")), Ct);
        }

        await removals.BeginRemovalAsync(Tombstone("gone", "ext-gone"), Ct);

        // The row is still there (nothing deleted yet), yet no read returns it.
        Assert.Null(await catalogue.GetAsync("gone", Ct));
        Assert.Null(await catalogue.FindByExternalIdAsync("ext-gone", Ct));
        Assert.Equal(["keep"], await ListIdsAsync(catalogue));
        Assert.Equal(1, await catalogue.CountAsync(null, Ct));
        var page = await catalogue.ListPageAsync(new CatalogueFilter(Labels: new Dictionary<string, string> { ["mood"] = "calm" }), null, 10, Ct);
        Assert.Equal(["keep"], page.Items.Select(i => i.MediaId));
        Assert.True(await catalogue.DeleteAsync("gone", Ct));
        Assert.False(await catalogue.DeleteAsync("gone", Ct));
        Assert.NotNull(await catalogue.GetAsync("keep", Ct));
    }

    [Fact]
    public async Task NoLateWriteBringsATombstonedItemBack()
    {
        var catalogue = await OpenAsync();
        var removals = (IRemovalLedger)catalogue;
        await catalogue.UpsertVideoAsync("late", MediaKind.Video, [1f], "video-1", 10, Ct);
        await removals.BeginRemovalAsync(Tombstone("late"), Ct);
        Assert.True(await catalogue.DeleteAsync("late", Ct));

        // Features, kind, a failure and metadata still on their way when the item was taken down.
        await catalogue.UpsertMusicAsync("late", MediaKind.Pair, [1f], "audio-1", 10, 100, Ct);
        await catalogue.UpsertVideoAsync("late", MediaKind.Pair, [2f], "video-1", 10, Ct);
        await catalogue.RecordKindAsync("late", MediaKind.Pair, 10, Ct);
        await catalogue.RecordFailureAsync("late", Modality.Video, "bad", FailedAt, Ct);
        await catalogue.RecordMetadataAsync("late", new MediaMetadata(Title: "back?", ExternalId: "late-1"), Ct);

        // Not hidden but absent: a delete finds no row to delete.
        Assert.False(await catalogue.DeleteAsync("late", Ct));
        Assert.Null(await catalogue.GetAsync("late", Ct));
        Assert.Empty(await ListIdsAsync(catalogue));
    }

    [Fact]
    public async Task ATombstoneIsWrittenOnceFoundByIdOrExternalIdAndOnlyMovesForward()
    {
        var catalogue = await OpenAsync();
        var removals = (IRemovalLedger)catalogue;
        var first = await removals.BeginRemovalAsync(Tombstone("t1", "platform:1"), Ct);
        var again = await removals.BeginRemovalAsync(Tombstone("t1", "other") with { State = RemovalState.Removed }, Ct);
        Assert.Equal(first, again);
        Assert.Equal((RemovalState.Removing, "platform:1"), (first.State, first.ExternalId));
        Assert.Equal(first, await removals.FindRemovalByExternalIdAsync("platform:1", Ct));
        Assert.Null(await removals.FindRemovalAsync("t2", Ct));

        await removals.BeginRemovalAsync(Tombstone("t2"), Ct);
        Assert.Equal(["t1", "t2"], (await removals.ListRemovalsAsync(RemovalState.Removing, Ct)).Select(r => r.MediaId).Order());
        Assert.Equal(new HashSet<string> { "t2" }, await removals.RemovedAmongAsync(["t2", "t3"], Ct));

        await removals.AdvanceRemovalAsync("t1", RemovalState.Purged, Ct);
        await removals.AdvanceRemovalAsync("t1", RemovalState.Removing, Ct);
        Assert.Equal(RemovalState.Purged, (await removals.FindRemovalAsync("t1", Ct))!.State);
        await removals.AdvanceRemovalAsync("t1", RemovalState.Removed, Ct);
        var done = (await removals.FindRemovalAsync("t1", Ct))!;
        Assert.Equal(RemovalState.Removed, done.State);
        Assert.NotNull(done.CompletedAt);
        Assert.Equal(["t2"], (await removals.ListRemovalsAsync(RemovalState.Removing, Ct)).Select(r => r.MediaId));

        // Durable: another process (or a restart) reads the same tombstones.
        var reopened = (IRemovalLedger)await OpenAsync();
        Assert.Equal(done, await reopened.FindRemovalAsync("t1", Ct));
    }

    private static async Task<List<string>> ListIdsAsync(IFeatureCatalogue catalogue)
    {
        var ids = new List<string>();
        await foreach (var item in catalogue.ListAsync(null, Ct))
        {
            ids.Add(item.MediaId);
        }

        return ids;
    }
}
