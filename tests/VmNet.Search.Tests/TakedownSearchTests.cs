using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Catalogue;
using VmNet.Search.V1;
using MediaKind = VmNet.Contracts.MediaKind;

namespace VmNet.Search.Tests;

/// <summary>
/// RemoveMedia over real gRPC on a search process with no embedder behind it: the item's vectors stay in the store (no
/// purge runs here), so what keeps it out of every answer is the tombstone alone, from the moment the call returns.
/// </summary>
public sealed class TakedownSearchTests : IAsyncLifetime
{
    private SearchServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await SearchServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_removed_item_is_in_no_answer_once_RemoveMedia_returns_though_its_vectors_remain()
    {
        using var client = _server.Client();
        using var admin = _server.Client(SearchServer.AdminKey);
        var world = _server.World;
        var video = world.First(MediaKind.Video);
        var all = new QueryOptions { TopK = 50 };
        var before = await client.FindMusicForVideoIdAsync(video.MediaId, all, Ct);
        var victim = before.Matches[0].MediaId;
        var index = world.Items.ToList().FindIndex(i => i.MediaId == victim);

        var reply = await admin.RemoveMediaAsync(null, $"ext-{index}", "licence ended", cancellationToken: Ct);
        Assert.Equal((victim, "MediaRemovalRequested"), (reply.MediaId, reply.Published));

        // Still in the store: the filter is the tombstone's, not the purge's.
        var live = _server.Store.LiveGeneration!;
        Assert.NotNull(await _server.Store.GetVectorAsync(live, Contracts.Modality.Music, victim, Ct));

        var after = await client.FindMusicForVideoIdAsync(video.MediaId, all, Ct);
        Assert.DoesNotContain(after.Matches, m => m.MediaId == victim);
        Assert.Equal(before.Matches.Select(m => m.MediaId).Where(id => id != victim), after.Matches.Select(m => m.MediaId));

        // The top answer asked for exactly: one fewer is not an answer with a hole, the next item fills it.
        var top1 = await client.FindMusicForVideoIdAsync(video.MediaId, new QueryOptions { TopK = 1 }, Ct);
        Assert.Equal(before.Matches[1].MediaId, top1.Matches.Single().MediaId);

        var byFeatures = await client.FindMusicForVideoFeaturesAsync(video.Video!, all, Ct);
        Assert.DoesNotContain(byFeatures.Matches, m => m.MediaId == victim);
        foreach (var query in world.Items.Where(i => i.Music is not null && i.MediaId != victim))
        {
            Assert.DoesNotContain((await client.FindVideosForMusicIdAsync(query.MediaId, all, Ct)).Matches, m => m.MediaId == victim);
        }

        // Not a query, not a look-up.
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(async () => await client.FindVideosForMusicIdAsync(victim, all, Ct))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(async () =>
            await client.Queries.GetMediaAsync(new GetMediaRequest { MediaId = victim }, cancellationToken: Ct))).StatusCode);
        var listed = await client.Queries.ListMediaAsync(new ListMediaRequest { PageSize = 100 }, cancellationToken: Ct);
        Assert.DoesNotContain(listed.Items, i => i.MediaId == victim);

        // The tombstone, durable beside the catalogue, kept the external id: a repeat by either key is accepted.
        var tombstone = await _server.App.Services.GetRequiredService<IRemovalLedger>().FindRemovalAsync(victim, Ct);
        Assert.Equal(($"ext-{index}", RemovalState.Removing), (tombstone!.ExternalId, tombstone.State));
        Assert.Equal(victim, (await admin.RemoveMediaAsync(victim, null, cancellationToken: Ct)).MediaId);
        Assert.Equal(victim, (await admin.RemoveMediaAsync(null, $"ext-{index}", cancellationToken: Ct)).MediaId);
    }

    [Theory]
    [InlineData("", "no-such-item", StatusCode.NotFound)]
    [InlineData("0123456789abcdef0123456789abcdef", "", StatusCode.NotFound)]
    [InlineData("../../etc/passwd", "", StatusCode.InvalidArgument)]
    [InlineData("", "bad id with spaces", StatusCode.InvalidArgument)]
    public async Task An_unknown_or_malformed_key_is_refused_and_nothing_is_tombstoned(string mediaId, string externalId, StatusCode expected)
    {
        using var admin = _server.Client(SearchServer.AdminKey);
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await admin.RemoveMediaAsync(mediaId.Length > 0 ? mediaId : null, externalId.Length > 0 ? externalId : null, cancellationToken: Ct));

        Assert.Equal(expected, e.StatusCode);
        var removals = _server.App.Services.GetRequiredService<IRemovalLedger>();
        Assert.Empty(await removals.ListRemovalsAsync(RemovalState.Removing, Ct));
    }

    [Fact]
    public async Task RemoveMedia_is_an_admin_call()
    {
        using var client = _server.Client();
        var victim = _server.World.Items[0].MediaId;

        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.RemoveMediaAsync(victim, null, cancellationToken: Ct));

        Assert.Contains(e.StatusCode, new[] { StatusCode.Unauthenticated, StatusCode.PermissionDenied });
        Assert.Null(await _server.App.Services.GetRequiredService<IRemovalLedger>().FindRemovalAsync(victim, Ct));
        Assert.NotNull(await _server.App.Services.GetRequiredService<IFeatureCatalogue>().GetAsync(victim, Ct));
    }
}
