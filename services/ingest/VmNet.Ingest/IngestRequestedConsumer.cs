using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Contracts;
using VmNet.ServiceDefaults;

namespace VmNet.Ingest;

/// <summary>
/// <see cref="IngestRequested"/> → <see cref="MediaIngested"/>, or <see cref="IngestFailed"/> for bad input.
/// Bad input is answered, not retried; anything else (disk full, a crash) is retried and then lands in the error queue.
/// </summary>
internal sealed partial class IngestRequestedConsumer(Ingestor ingestor, ILogger<IngestRequestedConsumer> logger)
    : IConsumer<IngestRequested>
{
    public async Task Consume(ConsumeContext<IngestRequested> context)
    {
        var request = context.Message;
        try
        {
            await context.Publish(await ingestor.IngestAsync(request, context.CancellationToken));
        }
        catch (IngestRejectedException e)
        {
            LogRejected(request.Source, e.Message);
            await context.Publish(new IngestFailed(request.CorrelationId, request.Source, request.Kind, e.Message, DateTimeOffset.UtcNow));
        }
    }

    [LoggerMessage(1010, LogLevel.Warning, "Ingest of '{Source}' refused: {Reason}")]
    private partial void LogRejected(string source, string reason);
}

internal sealed class IngestRequestedConsumerDefinition(IOptions<BusOptions> options)
    : RoleConsumerDefinition<IngestRequestedConsumer>(IngestRole.Name, options);
