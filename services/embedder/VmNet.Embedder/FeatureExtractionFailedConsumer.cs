using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.ServiceDefaults;

namespace VmNet.Embedder;

/// <summary>
/// <see cref="FeatureExtractionFailed"/> → the failure recorded on that half of the item in the catalogue, so a pair
/// with one half missing says why instead of staying silently half-complete. Features of that half arriving later
/// clear it. Nothing is embedded or published.
/// </summary>
internal sealed partial class FeatureExtractionFailedConsumer(IFeatureCatalogue catalogue, ILogger<FeatureExtractionFailedConsumer> logger)
    : IConsumer<FeatureExtractionFailed>
{
    public async Task Consume(ConsumeContext<FeatureExtractionFailed> context)
    {
        var m = context.Message;
        await catalogue.RecordFailureAsync(m.MediaId, m.Modality, m.Reason, m.FailedAt, context.CancellationToken);
        LogRecorded(m.MediaId, m.Modality, m.Reason);
    }

    [LoggerMessage(4410, LogLevel.Information, "Recorded {Modality} extraction failure of {MediaId}: {Reason}")]
    private partial void LogRecorded(string mediaId, Modality modality, string reason);
}

internal sealed class FeatureExtractionFailedConsumerDefinition(IOptions<BusOptions> options)
    : RoleConsumerDefinition<FeatureExtractionFailedConsumer>(EmbedderRole.Name, options);
