using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.ServiceDefaults;
using VmNet.VideoFeatures;

namespace VmNet.VideoFeatures.Service;

/// <summary>
/// <see cref="MediaIngested"/> with a video → <see cref="VideoFeaturesExtracted"/>, or
/// <see cref="FeatureExtractionFailed"/> (video) for a video that cannot be read or a URI outside the data directory.
/// Those are answered, not retried; other errors are retried and then land in the error queue. A second delivery
/// finds the cached frames and publishes the same vector (re-pooled with the PCA current at that time).
/// </summary>
internal sealed partial class MediaIngestedConsumer(
    MediaVideoFeatures features, DataDirectory data, IRemovalLedger removals, ILogger<MediaIngestedConsumer> logger)
    : IConsumer<MediaIngested>
{
    public async Task Consume(ConsumeContext<MediaIngested> context)
    {
        var message = context.Message;
        if (message.VideoUri is null)
        {
            return;
        }

        // A taken-down item is not worked on; checked again after the frame cache is written (TakenDown.ForgetIfRemovedAsync).
        if (await TakenDownAsync(message.MediaId, context.CancellationToken))
        {
            return;
        }

        using var activity = Telemetry.ActivitySource.StartActivity("video-features");
        activity?.SetTag("vmnet.media_id", message.MediaId);
        try
        {
            if (!Enum.IsDefined(message.Kind))
            {
                throw new ArgumentException($"unknown kind {(int)message.Kind}");
            }

            // Only this id's own part: a message naming another item's video would store its features under this id.
            var path = data.ResolvePart(message.VideoUri, message.MediaId, DataDirectory.VideoPartName);
            var result = await features.ExtractAsync(message.MediaId, message.Kind, path, message.DurationSeconds, context.CancellationToken);
            if (await TakenDownAsync(message.MediaId, context.CancellationToken))
            {
                return;
            }

            LogExtracted(message.MediaId, result.Frames, result.Dimension, result.PcaVersion ?? "none");
            await context.Publish(new VideoFeaturesExtracted(
                message.MediaId, message.CorrelationId, [.. result.Vector], result.Frames, result.ExtractorVersion,
                result.PcaVersion, result.Whitened, message.DurationSeconds, DateTimeOffset.UtcNow));
        }
        catch (Exception e) when (e is MediaDecodeException or UnsafePathException or ArgumentException or TimeoutException)
        {
            LogFailed(message.MediaId, e.Message);
            await context.Publish(new FeatureExtractionFailed(
                message.MediaId, message.CorrelationId, Modality.Video, e.Message, DateTimeOffset.UtcNow));
        }
    }

    private async Task<bool> TakenDownAsync(string mediaId, CancellationToken cancellationToken)
    {
        if (!await removals.ForgetIfRemovedAsync(data, mediaId, cancellationToken))
        {
            return false;
        }

        LogTakenDown(mediaId);
        return true;
    }

    [LoggerMessage(3003, LogLevel.Information, "{MediaId} was taken down: no video features")]
    private partial void LogTakenDown(string mediaId);

    [LoggerMessage(3001, LogLevel.Information, "Video features of {MediaId}: {Frames} frames, {Dimension} values, PCA {PcaVersion}")]
    private partial void LogExtracted(string mediaId, int frames, int dimension, string pcaVersion);

    [LoggerMessage(3002, LogLevel.Warning, "Video features of {MediaId} failed: {Reason}")]
    private partial void LogFailed(string mediaId, string reason);
}

/// <summary>One video at a time unless <c>Bus:Concurrency:video-features</c> says otherwise: the CNN already uses every core.</summary>
internal sealed class MediaIngestedConsumerDefinition : RoleConsumerDefinition<MediaIngestedConsumer>
{
    public MediaIngestedConsumerDefinition(IOptions<BusOptions> options)
        : base(VideoFeaturesRole.Name, options)
    {
        if (!options.Value.Concurrency.ContainsKey(VideoFeaturesRole.Name))
        {
            ConcurrentMessageLimit = 1;
        }
    }
}
