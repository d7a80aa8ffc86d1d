using MassTransit;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.ServiceDefaults;

namespace VmNet.Embedder;

/// <summary>
/// Raw features → catalogue, then into the live generation (and the one being built). Publishes
/// <see cref="MediaEmbedded"/> for the live model; before any model nothing is embedded or published. The same
/// message twice writes the same rows and vectors again: nothing changes, and <see cref="MediaEmbedded"/> is re-sent.
/// </summary>
internal sealed class FeaturesExtractedConsumer(IFeatureCatalogue catalogue, CatalogueEmbedder embedder, IVectorStore store)
    : IConsumer<AudioFeaturesExtracted>, IConsumer<VideoFeaturesExtracted>, IConsumer<MediaIngested>
{
    public async Task Consume(ConsumeContext<AudioFeaturesExtracted> context)
    {
        var m = context.Message;
        await catalogue.UpsertMusicAsync(m.MediaId, MediaKind.Music, [.. m.Vector], m.ExtractorVersion, m.DurationSeconds, m.TempoBpm, context.CancellationToken);
        await EmbedAsync(context, m.MediaId, m.CorrelationId);
    }

    public async Task Consume(ConsumeContext<VideoFeaturesExtracted> context)
    {
        var m = context.Message;
        await catalogue.UpsertVideoAsync(m.MediaId, MediaKind.Video, [.. m.Vector], m.ExtractorVersion, m.DurationSeconds, context.CancellationToken);
        await EmbedAsync(context, m.MediaId, m.CorrelationId);
    }

    /// <summary>Ingest knows whether an item is a pair, a video-only upload or a music-only track.</summary>
    public Task Consume(ConsumeContext<MediaIngested> context) =>
        catalogue.RecordKindAsync(context.Message.MediaId, context.Message.Kind, context.Message.DurationSeconds, context.CancellationToken);

    private async Task EmbedAsync(ConsumeContext context, string mediaId, Guid correlationId)
    {
        var live = store.LiveGeneration;
        foreach (var done in await embedder.EmbedItemAsync(mediaId, context.CancellationToken))
        {
            if (done.Generation == live)
            {
                await context.Publish(new MediaEmbedded(mediaId, correlationId, done.Kind, done.Generation, done.Music, done.Video, DateTimeOffset.UtcNow));
            }
        }
    }
}

internal sealed class FeaturesExtractedConsumerDefinition(IOptions<BusOptions> options)
    : RoleConsumerDefinition<FeaturesExtractedConsumer>(EmbedderRole.Name, options);
