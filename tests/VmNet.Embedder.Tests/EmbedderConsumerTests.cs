using MassTransit;
using MassTransit.Testing;
using VmNet.Contracts;

namespace VmNet.Embedder.Tests;

public sealed class EmbedderConsumerTests
{
    [Fact]
    public async Task BeforeAnyModelFeaturesAreStoredButNothingIsEmbedded()
    {
        await using var h = await EmbedderHarness.StartAsync();
        var id = EmbedderHarness.Id(1);
        await h.PublishMusicAsync(id, seed: 1);
        await h.ConsumedAsync<AudioFeaturesExtracted>(id);

        var item = await h.Catalogue.GetAsync(id, TestContext.Current.CancellationToken);
        Assert.NotNull(item);
        Assert.Equal(EmbedderHarness.Features(1, TestModelFolders.MusicDim), item.MusicFeatures);
        Assert.Equal(MediaKind.Music, item.Kind);
        Assert.Null(h.Store.LiveGeneration);
        Assert.Empty(await h.Store.ListGenerationsAsync(TestContext.Current.CancellationToken));
        Assert.False(await h.Harness.Published.Any<MediaEmbedded>());
        Assert.False(await h.Harness.Published.Any<Fault<AudioFeaturesExtracted>>());
    }

    [Fact]
    public async Task TheFirstModelEmbedsEverythingStoredThenNewItemsAreEmbededOnArrival()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await EmbedderHarness.StartAsync();
        var pair = EmbedderHarness.Id(1);
        var video = EmbedderHarness.Id(2);
        await h.Harness.Bus.Publish(h.Ingested(pair, MediaKind.Pair), ct);
        await h.PublishMusicAsync(pair, seed: 1);
        await h.PublishVideoAsync(video, seed: 2);
        await h.ConsumedAsync<AudioFeaturesExtracted>(pair);
        await h.ConsumedAsync<VideoFeaturesExtracted>(video);
        await h.ConsumedAsync<MediaIngested>(pair);
        TestModelFolders.Write(h.ModelsRoot, "v1", seed: 10);

        var activated = await h.PublishModelAsync("v1");

        Assert.NotNull(activated);
        Assert.Equal((2, (string?)null), (activated.ItemsEmbedded, activated.PreviousVersion));
        Assert.Equal("v1", h.Store.LiveGeneration);
        var generation = Assert.Single(await h.Store.ListGenerationsAsync(ct));
        Assert.Equal((1L, 1L), (generation.MusicCount, generation.VideoCount));

        // The pair's other half arrives: now searchable both ways, announced as such.
        await h.PublishVideoAsync(pair, seed: 3);
        await h.ConsumedAsync<VideoFeaturesExtracted>(pair);
        Assert.Empty(h.Harness.Published.Select<Fault<VideoFeaturesExtracted>>().SelectMany(f => f.Context.Message.Exceptions).Select(e => e.Message));
        var embedded = h.Harness.Published.Select<MediaEmbedded>().Single(x => x.Context.Message.MediaId == pair).Context.Message;
        Assert.Equal((MediaKind.Pair, "v1", true, true), (embedded.Kind, embedded.ModelVersion, embedded.MusicEmbedded, embedded.VideoEmbedded));

        var videoVector = await h.Store.GetVectorAsync("v1", Modality.Video, pair, ct);
        var musicHits = await h.Store.SearchAsync(Modality.Music, videoVector!, 5, null, ct);
        Assert.Equal(["" + pair], musicHits.Hits.Select(x => x.MediaId));
        var videoHits = await h.Store.SearchAsync(Modality.Video, videoVector!, 5, null, ct);
        Assert.Equal(pair, videoHits.Hits[0].MediaId);
        Assert.Equal(2, videoHits.Hits.Count);
        Assert.False(await h.Harness.Published.Any<Fault<VideoFeaturesExtracted>>());
    }

    [Fact]
    public async Task TheSameMessageTwiceChangesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await EmbedderHarness.StartAsync();
        TestModelFolders.Write(h.ModelsRoot, "v1", seed: 10);
        Assert.NotNull(await h.PublishModelAsync("v1"));
        var id = EmbedderHarness.Id(5);
        await h.PublishMusicAsync(id, seed: 5);
        await h.ConsumedAsync<AudioFeaturesExtracted>(id);
        var first = await h.Store.GetVectorAsync("v1", Modality.Music, id, ct);
        var before = await h.Catalogue.GetAsync(id, ct);

        await h.PublishMusicAsync(id, seed: 5);
        await h.ConsumedAsync<AudioFeaturesExtracted>(id, count: 2);

        Assert.Equal(first, await h.Store.GetVectorAsync("v1", Modality.Music, id, ct));
        var after = await h.Catalogue.GetAsync(id, ct);
        Assert.Equal(before!.MusicFeatures, after!.MusicFeatures);
        Assert.Equal(before.Kind, after.Kind);
        Assert.Equal(1L, Assert.Single(await h.Store.ListGenerationsAsync(ct)).MusicCount);
        Assert.Equal(1, await h.Catalogue.CountAsync(null, ct));
    }

    [Fact]
    public async Task AFailedModelLeavesTheOldGenerationLiveAndSaysWhy()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await EmbedderHarness.StartAsync();
        await h.PublishMusicAsync(EmbedderHarness.Id(1), seed: 1);
        await h.ConsumedAsync<AudioFeaturesExtracted>(EmbedderHarness.Id(1));
        TestModelFolders.Write(h.ModelsRoot, "v1", seed: 10);
        Assert.NotNull(await h.PublishModelAsync("v1"));

        // Outside the data dir, a folder that claims another version, and a missing folder.
        Assert.Null(await h.PublishModelAsync("v2", new Uri("file:///etc/")));
        TestModelFolders.Write(h.ModelsRoot, "v3", seed: 11);
        Assert.Null(await h.PublishModelAsync("v4", new Uri(Path.Combine(h.ModelsRoot, "v3"))));
        Assert.Null(await h.PublishModelAsync("v5"));

        var reasons = h.Harness.Published.Select<ModelActivationFailed>().Select(f => f.Context.Message).ToList();
        Assert.Equal(3, reasons.Count);
        Assert.All(reasons, r => Assert.Equal("v1", r.LiveVersion));
        Assert.Contains("refused", reasons.Single(r => r.ModelVersion == "v2").Reason, StringComparison.Ordinal);
        Assert.Contains("'v3'", reasons.Single(r => r.ModelVersion == "v4").Reason, StringComparison.Ordinal);
        Assert.Equal("v1", h.Store.LiveGeneration);
        Assert.Equal("v1", (await h.Store.SearchAsync(Modality.Music, new float[TestModelFolders.EmbeddingDim].Select(_ => 1f).ToArray(), 1, null, ct)).Generation);
    }

    [Fact]
    public async Task ActivationRequestsRollBackAndForward()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await EmbedderHarness.StartAsync();
        var early = EmbedderHarness.Id(1);
        await h.PublishMusicAsync(early, seed: 1);
        await h.ConsumedAsync<AudioFeaturesExtracted>(early);
        TestModelFolders.Write(h.ModelsRoot, "v1", seed: 10);
        TestModelFolders.Write(h.ModelsRoot, "v2", seed: 20);
        Assert.NotNull(await h.PublishModelAsync("v1"));
        Assert.NotNull(await h.PublishModelAsync("v2"));

        // Arrives while v2 is live, so v1 has never seen it: rolling back must embed it too.
        var late = EmbedderHarness.Id(2);
        await h.PublishMusicAsync(late, seed: 2);
        await h.ConsumedAsync<AudioFeaturesExtracted>(late);
        Assert.Null(await h.Store.GetVectorAsync("v1", Modality.Music, late, ct));

        var back = await h.RequestActivationAsync("v1");
        Assert.NotNull(back);
        Assert.Equal(("v1", "v2"), (back.ModelVersion, back.PreviousVersion));
        Assert.Equal("v1", h.Store.LiveGeneration);
        Assert.NotNull(await h.Store.GetVectorAsync("v1", Modality.Music, late, ct));
        Assert.Null(await h.RequestActivationAsync("nope"));
        Assert.Null(await h.RequestActivationAsync("../v2"));
        Assert.Equal("v1", h.Store.LiveGeneration);
    }
}
