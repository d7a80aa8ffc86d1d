using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.Embedder.Tests;

/// <summary>Messages the embedder must not turn into catalogue rows: malformed ids, unknown kinds, downgrades of a pair.</summary>
public sealed class ForgedMessageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Features_under_a_malformed_media_id_are_not_stored()
    {
        await using var h = await EmbedderHarness.StartAsync();
        const string forged = "../../etc/not-a-hash";
        await h.PublishMusicAsync(forged, seed: 1);
        await h.ConsumedAsync<AudioFeaturesExtracted>(forged);

        Assert.Null(await h.Catalogue.GetAsync(forged, Ct));
        Assert.False(await h.Harness.Published.Any<Fault<AudioFeaturesExtracted>>(Ct));
    }

    [Fact]
    public async Task An_unknown_kind_is_not_recorded()
    {
        await using var h = await EmbedderHarness.StartAsync();
        var id = EmbedderHarness.Id(7);
        await h.PublishMusicAsync(id, seed: 1);
        await h.ConsumedAsync<AudioFeaturesExtracted>(id);
        await h.Harness.Bus.Publish(new MediaIngested(id, Guid.NewGuid(), (MediaKind)42, null, null, 30, "test", DateTimeOffset.UtcNow), Ct);
        await h.ConsumedAsync<MediaIngested>(id);

        Assert.Equal(MediaKind.Music, (await h.Catalogue.GetAsync(id, Ct))!.Kind);
    }

    [Fact]
    public async Task A_pair_asked_for_again_as_music_stays_a_pair()
    {
        await using var h = await EmbedderHarness.StartAsync();
        var id = EmbedderHarness.Id(8);
        await h.Harness.Bus.Publish(h.Ingested(id, MediaKind.Pair), Ct);
        await h.PublishMusicAsync(id, seed: 1);
        await h.PublishVideoAsync(id, seed: 2);
        await h.ConsumedAsync<MediaIngested>(id);
        await h.Harness.Bus.Publish(h.Ingested(id, MediaKind.Music), Ct);
        await h.ConsumedAsync<MediaIngested>(id, count: 2);
        await h.ConsumedAsync<VideoFeaturesExtracted>(id);

        Assert.Equal(MediaKind.Pair, (await h.Catalogue.GetAsync(id, Ct))!.Kind);
    }

    [Fact]
    public async Task A_pair_without_both_of_its_parts_is_not_recorded_as_a_pair()
    {
        await using var h = await EmbedderHarness.StartAsync();
        var id = EmbedderHarness.Id(9);
        var other = EmbedderHarness.Id(10);
        await h.PublishMusicAsync(id, seed: 1);
        await h.ConsumedAsync<AudioFeaturesExtracted>(id);
        var music = h.Ingested(id, MediaKind.Music);
        var othersVideo = h.Ingested(other, MediaKind.Video).VideoUri;
        var missingVideo = DataDirectory.ToUri(Path.Combine(h.Services.GetRequiredService<DataDirectory>().MediaFolder(id), DataDirectory.VideoPartName));
        MediaIngested[] forged =
        [
            music with { Kind = MediaKind.Pair },                              // no video URI at all
            music with { Kind = MediaKind.Pair, VideoUri = missingVideo },     // the right URI, no file behind it
            music with { Kind = MediaKind.Pair, VideoUri = othersVideo },      // another item's video
        ];
        foreach (var message in forged)
        {
            await h.Harness.Bus.Publish(message with { CorrelationId = Guid.NewGuid() }, Ct);
        }

        await h.ConsumedAsync<MediaIngested>(id, count: forged.Length);
        await h.SettleAsync();

        Assert.Equal(MediaKind.Music, (await h.Catalogue.GetAsync(id, Ct))!.Kind);
        Assert.False(await h.Harness.Published.Any<Fault<MediaIngested>>(Ct));

        // The same message with both parts in place is believed.
        await h.Harness.Bus.Publish(h.Ingested(id, MediaKind.Pair), Ct);
        await h.ConsumedAsync<MediaIngested>(id, count: forged.Length + 1);
        Assert.Equal(MediaKind.Pair, (await h.Catalogue.GetAsync(id, Ct))!.Kind);
    }
}
