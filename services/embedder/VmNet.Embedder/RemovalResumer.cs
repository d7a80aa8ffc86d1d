using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Embedder;

/// <summary>
/// At start, finishes the embedder's part of every removal a stop interrupted (tombstones still
/// <see cref="RemovalState.Removing"/>) and hands each on to search with <c>MediaPurged</c>. On the in-memory bus the
/// request died with the process; on RabbitMQ its redelivery would do the same, and doing it twice is harmless.
/// </summary>
internal sealed partial class RemovalResumer(
    IRemovalLedger removals, MediaRemover remover, IPublishEndpoint publish, IHostApplicationLifetime lifetime, ILogger<RemovalResumer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // After the host (and with it the bus) has started: a publish before that would have nowhere to go.
        if (!await Started(lifetime, stoppingToken))
        {
            return;
        }

        foreach (var removal in await removals.ListRemovalsAsync(RemovalState.Removing, stoppingToken))
        {
            LogResuming(removal.MediaId, removal.RequestedAt);
            await publish.Publish<MediaPurged>(await remover.PurgeAsync(removal, removal.CorrelationId, stoppingToken), stoppingToken);
        }
    }

    /// <summary>Waits until the application has started; false when it stops first.</summary>
    internal static async Task<bool> Started(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(4425, LogLevel.Information, "Resuming the removal of {MediaId} (requested {RequestedAt:u}) that a stop interrupted")]
    private partial void LogResuming(string mediaId, DateTimeOffset requestedAt);
}
