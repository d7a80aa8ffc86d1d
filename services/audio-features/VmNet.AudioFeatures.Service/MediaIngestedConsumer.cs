using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.ServiceDefaults;

namespace VmNet.AudioFeatures.Service;

/// <summary>
/// <see cref="MediaIngested"/> with audio → <see cref="AudioFeaturesExtracted"/>, or <see cref="FeatureExtractionFailed"/>
/// (music) for bad media, which is answered, not retried. Items without audio are not ours and are ignored.
/// </summary>
internal sealed partial class MediaIngestedConsumer(
    AudioFeatureService service, IRemovalLedger removals, DataDirectory data, ILogger<MediaIngestedConsumer> logger)
    : IConsumer<MediaIngested>
{
    public async Task Consume(ConsumeContext<MediaIngested> context)
    {
        var message = context.Message;
        if (message.AudioUri is null)
        {
            return;
        }

        // A taken-down item is not worked on; checked again after the cache is written (TakenDown.ForgetIfRemovedAsync).
        if (await TakenDownAsync(message.MediaId, context.CancellationToken))
        {
            return;
        }

        try
        {
            var extracted = await service.ExtractAsync(message, context.CancellationToken);
            if (await TakenDownAsync(message.MediaId, context.CancellationToken))
            {
                return;
            }

            await context.Publish(extracted);
        }
        catch (FeatureRejectedException e)
        {
            LogRejected(message.MediaId, e.Message);
            await context.Publish(new FeatureExtractionFailed(
                message.MediaId, message.CorrelationId, Modality.Music, e.Message, DateTimeOffset.UtcNow));
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

    [LoggerMessage(3011, LogLevel.Information, "{MediaId} was taken down: no audio features")]
    private partial void LogTakenDown(string mediaId);

    [LoggerMessage(3010, LogLevel.Warning, "No audio features for {MediaId}: {Reason}")]
    private partial void LogRejected(string mediaId, string reason);
}

internal sealed class MediaIngestedConsumerDefinition(IOptions<BusOptions> options)
    : RoleConsumerDefinition<MediaIngestedConsumer>(AudioFeaturesRole.Name, options);
