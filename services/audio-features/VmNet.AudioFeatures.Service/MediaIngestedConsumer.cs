using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Contracts;
using VmNet.ServiceDefaults;

namespace VmNet.AudioFeatures.Service;

/// <summary>
/// <see cref="MediaIngested"/> with audio → <see cref="AudioFeaturesExtracted"/>, or <see cref="FeatureExtractionFailed"/>
/// (music) for bad media, which is answered, not retried. Items without audio are not ours and are ignored.
/// </summary>
internal sealed partial class MediaIngestedConsumer(AudioFeatureService service, ILogger<MediaIngestedConsumer> logger)
    : IConsumer<MediaIngested>
{
    public async Task Consume(ConsumeContext<MediaIngested> context)
    {
        var message = context.Message;
        if (message.AudioUri is null)
        {
            return;
        }

        try
        {
            await context.Publish(await service.ExtractAsync(message, context.CancellationToken));
        }
        catch (FeatureRejectedException e)
        {
            LogRejected(message.MediaId, e.Message);
            await context.Publish(new FeatureExtractionFailed(
                message.MediaId, message.CorrelationId, Modality.Music, e.Message, DateTimeOffset.UtcNow));
        }
    }

    [LoggerMessage(3010, LogLevel.Warning, "No audio features for {MediaId}: {Reason}")]
    private partial void LogRejected(string mediaId, string reason);
}

internal sealed class MediaIngestedConsumerDefinition(IOptions<BusOptions> options)
    : RoleConsumerDefinition<MediaIngestedConsumer>(AudioFeaturesRole.Name, options);
