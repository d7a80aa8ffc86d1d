using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.ServiceDefaults;
using VmNet.Testing;

namespace VmNet.Search.Tests;

/// <summary>The tagging consumer through MassTransit's test harness, over the real store and models.</summary>
public sealed class SoundtrackTaggingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_video_only_upload_gets_the_live_models_top_tracks_once_per_model()
    {
        using var folder = new TempFolder("tagging");
        using var host = Build(folder.Path);
        var world = await SearchWorld.CreateAsync(folder.Path, host.Services.GetRequiredService<IFeatureCatalogue>(), host.Services.GetRequiredService<IVectorStore>());
        await host.StartAsync(Ct);
        var harness = host.Services.GetTestHarness();
        var video = world.First(MediaKind.Video);

        await harness.Bus.Publish(new MediaEmbedded(video.MediaId, Guid.NewGuid(), MediaKind.Video, "v1", false, true, DateTimeOffset.UtcNow), Ct);
        var first = await SuggestionAsync(harness, 1);
        // Reprocessing the same upload under the same model.
        await harness.Bus.Publish(new MediaEmbedded(video.MediaId, Guid.NewGuid(), MediaKind.Video, "v1", false, true, DateTimeOffset.UtcNow), Ct);
        var second = await SuggestionAsync(harness, 2);

        var expected = world.ExpectedMusicFor(video.Video!, "v1").Take(3).ToList();
        Assert.Equal("v1", first.ModelVersion);
        Assert.Equal(expected.Select(e => e.MediaId), first.Tracks.Select(t => t.MediaId));
        Assert.Equal(first.Tracks, second.Tracks);
        // Who the video and each track are, as the catalogue knows them.
        Assert.Equal(MetadataOf(world, video.MediaId), first.Metadata);
        Assert.All(first.Tracks.Concat(second.Tracks), t => Assert.Equal(MetadataOf(world, t.MediaId), t.Metadata));
        Assert.Equal(first.SuggestedAt, second.SuggestedAt);
        Assert.False(await harness.Published.Any<Fault<MediaEmbedded>>(Ct));

        // A new live model is a new suggestion.
        SearchWorld.WriteModel(folder.Path, "v2", seed: 99);
        var store = host.Services.GetRequiredService<IVectorStore>();
        await world.EmbedAsync(store, "v2");
        await store.ActivateAsync("v2", Ct);
        await harness.Bus.Publish(new MediaEmbedded(video.MediaId, Guid.NewGuid(), MediaKind.Video, "v2", false, true, DateTimeOffset.UtcNow), Ct);
        var third = await SuggestionAsync(harness, 3);
        Assert.Equal("v2", third.ModelVersion);
        Assert.Equal(world.ExpectedMusicFor(video.Video!, "v2").Take(3).Select(e => e.MediaId), third.Tracks.Select(t => t.MediaId));
    }

    [Fact]
    public async Task Pairs_and_music_get_no_suggestion()
    {
        using var folder = new TempFolder("tagging");
        using var host = Build(folder.Path);
        var world = await SearchWorld.CreateAsync(folder.Path, host.Services.GetRequiredService<IFeatureCatalogue>(), host.Services.GetRequiredService<IVectorStore>());
        await host.StartAsync(Ct);
        var harness = host.Services.GetTestHarness();

        var pair = world.First(MediaKind.Pair);
        await harness.Bus.Publish(new MediaEmbedded(pair.MediaId, Guid.NewGuid(), MediaKind.Pair, "v1", true, true, DateTimeOffset.UtcNow), Ct);

        Assert.True(await harness.Consumed.Any<MediaEmbedded>(Ct));
        Assert.False(await harness.Published.Any<SoundtrackSuggested>(Ct));
        Assert.False(await harness.Published.Any<Fault<MediaEmbedded>>(Ct));
    }

    private static MediaMetadata MetadataOf(SearchWorld world, string mediaId) =>
        SearchWorld.MetadataOf(world.Items.Select((item, index) => (item, index)).Single(p => p.item.MediaId == mediaId).index);

    private static IHost Build(string dataDir)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDir"] = dataDir,
            ["Search:SuggestionTopK"] = "3",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddServiceDefaults("vmnet-search-tests");
        builder.AddSearch();
        builder.Services.AddMassTransitTestHarness(x =>
        {
            // The first message resolves the whole search stack (SQLite, models): give it more than the default quiet time.
            x.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(5));
            x.AddRegisteredConsumers(builder.Services);
        });
        return builder.Build();
    }

    private static async Task<SoundtrackSuggested> SuggestionAsync(ITestHarness harness, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (harness.Published.Select<SoundtrackSuggested>().Count() < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        var all = harness.Published.Select<SoundtrackSuggested>().ToList();
        Assert.Equal(count, all.Count);
        return all[^1].Context.Message;
    }
}
