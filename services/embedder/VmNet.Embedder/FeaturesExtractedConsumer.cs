using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.ServiceDefaults;

namespace VmNet.Embedder;

/// <summary>
/// Raw features → catalogue, then into the live generation (and the one being built). Publishes
/// <see cref="MediaEmbedded"/> for the live model; before any model nothing is embedded or published. The same
/// message twice writes the same rows and vectors again: nothing changes, and <see cref="MediaEmbedded"/> is re-sent.
/// </summary>
internal sealed partial class FeaturesExtractedConsumer(
    IFeatureCatalogue catalogue, CatalogueEmbedder embedder, IVectorStore store, DataDirectory data, ILogger<FeaturesExtractedConsumer> logger)
    : IConsumer<AudioFeaturesExtracted>, IConsumer<VideoFeaturesExtracted>, IConsumer<MediaIngested>
{
    public async Task Consume(ConsumeContext<AudioFeaturesExtracted> context)
    {
        var m = context.Message;
        if (!Acceptable(m.MediaId, MediaKind.Music, m.Vector.Length))
        {
            return;
        }

        await catalogue.UpsertMusicAsync(m.MediaId, MediaKind.Music, [.. m.Vector], m.ExtractorVersion, m.DurationSeconds, m.TempoBpm, context.CancellationToken);
        await EmbedAsync(context, m.MediaId, m.CorrelationId);
    }

    public async Task Consume(ConsumeContext<VideoFeaturesExtracted> context)
    {
        var m = context.Message;
        if (!Acceptable(m.MediaId, MediaKind.Video, m.Vector.Length))
        {
            return;
        }

        await catalogue.UpsertVideoAsync(m.MediaId, MediaKind.Video, [.. m.Vector], m.ExtractorVersion, m.DurationSeconds, context.CancellationToken);
        await EmbedAsync(context, m.MediaId, m.CorrelationId);
    }

    /// <summary>
    /// Ingest knows whether an item is a pair, a video-only upload or a music-only track, and who it is (source, tags,
    /// the platform's external id and labels).
    /// </summary>
    public async Task Consume(ConsumeContext<MediaIngested> context)
    {
        var m = context.Message;
        if (!Acceptable(m.MediaId, m.Kind, features: 1))
        {
            return;
        }

        if (PartsError(m) is { } parts)
        {
            LogDropped(m.MediaId, parts);
            return;
        }

        await catalogue.RecordKindAsync(m.MediaId, m.Kind, m.DurationSeconds, context.CancellationToken);
        if (m.Metadata is { } metadata)
        {
            // Ingest refuses bad ids and labels; a message that did not come from ingest may still carry them. The
            // catalogue would refuse them too (and the message would fail): keep what is harmless, drop the id and labels.
            if ((MediaLabels.ExternalIdError(metadata.ExternalId) ?? MediaLabels.LabelsError(metadata.Labels)) is { } invalid)
            {
                LogDropped(m.MediaId, "external id and labels: " + invalid);
                metadata = metadata with { ExternalId = null, Labels = null };
            }

            await catalogue.RecordMetadataAsync(m.MediaId, metadata, context.CancellationToken);

            // Label filters run in the vector store, on the labels each vector carries: an item already embedded (a
            // re-ingest with new labels) is written again so its vectors carry the new set. Nothing to do before features.
            await embedder.EmbedItemAsync(m.MediaId, context.CancellationToken);
        }
    }

    // Rows are keyed by the message's id: one that is not a content hash (or an unknown kind, or no features) would write
    // a row no ingest made, so it is dropped with a warning rather than stored or retried.
    private bool Acceptable(string mediaId, MediaKind kind, int features)
    {
        var reason = !MediaId.IsValid(mediaId) ? "not a media id"
            : !Enum.IsDefined(kind) ? $"unknown kind {(int)kind}"
            : features == 0 ? "no features"
            : null;
        if (reason is not null)
        {
            LogDropped(mediaId, reason);
        }

        return reason is null;
    }

    /// <summary>
    /// Why the parts a message names do not back its kind, or null. The kind is what puts an item in the training set
    /// (a pair) or in a direction of search, so it is believed only when ingest's parts for it are there: a pair needs
    /// both <c>media/&lt;id&gt;/audio.wav</c> and <c>video.mkv</c>, music the first, video the second; any URI given must
    /// be exactly that id's part. Every role shares the data directory (ingest writes the parts before it publishes).
    /// </summary>
    private string? PartsError(MediaIngested m) =>
        PartError(m.MediaId, m.Kind, m.AudioUri, DataDirectory.AudioPartName, needed: m.Kind is MediaKind.Pair or MediaKind.Music)
        ?? PartError(m.MediaId, m.Kind, m.VideoUri, DataDirectory.VideoPartName, needed: m.Kind is MediaKind.Pair or MediaKind.Video);

    private string? PartError(string mediaId, MediaKind kind, Uri? uri, string partName, bool needed)
    {
        if (uri is null)
        {
            return needed ? $"{kind} without its {partName}" : null;
        }

        string path;
        try
        {
            path = data.ResolvePart(uri, mediaId, partName);
        }
        catch (Exception e) when (e is UnsafePathException or ArgumentException or UriFormatException)
        {
            return $"{partName}: {e.Message}";
        }

        return File.Exists(path) ? null : $"{kind} whose {partName} is not in the data directory";
    }

    [LoggerMessage(4020, LogLevel.Warning, "Dropped a message for '{MediaId}': {Reason}")]
    private partial void LogDropped(string mediaId, string reason);

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
