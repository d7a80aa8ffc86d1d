using MassTransit;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.ServiceDefaults;

namespace VmNet.Search;

/// <summary>
/// Search's part of a takedown, the last: the soundtrack ledger forgets the item (its own suggestions and every one
/// that names it as a track), this process's payload cache drops it, the tombstone moves to
/// <see cref="RemovalState.Removed"/>, and the answer is <see cref="MediaRemoved"/>. Answers were already clean from
/// the tombstone on (<see cref="SearchEngine"/> and <see cref="SoundtrackTagger"/> check it); this removes the rest.
/// </summary>
internal sealed partial class SearchTakedown(ISoundtrackLedger ledger, IRemovalLedger removals, IMemoryCache payloads, ILogger<SearchTakedown> logger)
{
    public async Task<MediaRemoved> CompleteAsync(string mediaId, Guid correlationId, string? externalId, CancellationToken cancellationToken)
    {
        var forgotten = await ledger.ForgetAsync(mediaId, cancellationToken);
        payloads.Remove(mediaId);
        await removals.AdvanceRemovalAsync(mediaId, RemovalState.Removed, cancellationToken);
        LogCompleted(mediaId, forgotten);
        return new MediaRemoved(correlationId, mediaId, externalId, RemovalOutcome.Removed, DateTimeOffset.UtcNow);
    }

    [LoggerMessage(5060, LogLevel.Information, "Removal of {MediaId} complete: {Suggestions} stored suggestions forgotten")]
    private partial void LogCompleted(string mediaId, int suggestions);
}

/// <summary><see cref="MediaPurged"/> → <see cref="SearchTakedown"/> → <see cref="MediaRemoved"/>.</summary>
internal sealed class MediaPurgedConsumer(SearchTakedown takedown) : IConsumer<MediaPurged>
{
    public async Task Consume(ConsumeContext<MediaPurged> context)
    {
        var m = context.Message;
        await context.Publish<MediaRemoved>(await takedown.CompleteAsync(m.MediaId, m.CorrelationId, m.ExternalId, context.CancellationToken));
    }
}

internal sealed class MediaPurgedConsumerDefinition(IOptions<BusOptions> options)
    : RoleConsumerDefinition<MediaPurgedConsumer>(SearchRole.Name, options);

/// <summary>
/// At start, finishes every removal whose embedder part is done but whose answer a stop interrupted (tombstones still
/// <see cref="RemovalState.Purged"/>); running one twice only repeats <see cref="MediaRemoved"/>.
/// </summary>
internal sealed partial class SearchRemovalResumer(
    IRemovalLedger removals, SearchTakedown takedown, IPublishEndpoint publish, IHostApplicationLifetime lifetime, ILogger<SearchRemovalResumer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            // After the host (and the bus) started: a publish before that has nowhere to go.
            await started.Task.WaitAsync(stoppingToken);
        }

        foreach (var removal in await removals.ListRemovalsAsync(RemovalState.Purged, stoppingToken))
        {
            LogResuming(removal.MediaId);
            await publish.Publish<MediaRemoved>(await takedown.CompleteAsync(removal.MediaId, removal.CorrelationId, removal.ExternalId, stoppingToken), stoppingToken);
        }
    }

    [LoggerMessage(5061, LogLevel.Information, "Finishing the removal of {MediaId} that a stop interrupted")]
    private partial void LogResuming(string mediaId);
}
