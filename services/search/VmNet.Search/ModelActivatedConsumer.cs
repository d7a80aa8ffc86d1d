using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Contracts;
using VmNet.ServiceDefaults;

namespace VmNet.Search;

/// <summary>
/// <see cref="ModelActivated"/> → <see cref="LiveModelMonitor.RefreshAsync"/>: the new model is preloaded and
/// <c>WatchModel</c> callers hear of it now instead of at the next poll.
/// </summary>
internal sealed partial class ModelActivatedConsumer(LiveModelMonitor monitor, ILogger<ModelActivatedConsumer> logger) : IConsumer<ModelActivated>
{
    public async Task Consume(ConsumeContext<ModelActivated> context)
    {
        // The store, not the message, says what is live: a later activation may already have replaced this one.
        if (await monitor.RefreshAsync(context.CancellationToken) is { } live && live.Version != context.Message.ModelVersion)
        {
            LogNotLiveHere(context.Message.ModelVersion, live.Version ?? "(none)");
        }
    }

    [LoggerMessage(5023, LogLevel.Warning,
        "Model {Version} was activated but this process's store has {Live} live: a later activation, or a store this process does not share with the embedder")]
    private partial void LogNotLiveHere(string version, string live);
}

/// <summary>Every search process must hear each activation, so each has a queue of its own.</summary>
internal sealed class ModelActivatedConsumerDefinition : RoleConsumerDefinition<ModelActivatedConsumer>
{
    public ModelActivatedConsumerDefinition(IOptions<BusOptions> options)
        : base(SearchRole.Name, options)
    {
        UseQueuePerProcess();
    }
}
