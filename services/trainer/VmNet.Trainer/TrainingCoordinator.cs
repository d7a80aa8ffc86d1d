using System.Collections.Immutable;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Training;

namespace VmNet.Trainer;

/// <summary>
/// Runs trainings one at a time, off the bus: a request only queues work and returns, so a consumer never holds a
/// message for the minutes a training takes (MassTransit's consume timeout, RabbitMQ's ack timeout). Requests that
/// arrive while a training runs are coalesced into exactly one more run after it, never lost; each of them is answered
/// under its own correlation id.
/// </summary>
public sealed partial class TrainingCoordinator(
    IServiceProvider services, IOptions<TrainerOptions> options, ILogger<TrainingCoordinator> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _lock = new();
    private readonly List<RetrainRequested> _pending = [];
    private int _runs;

    /// <summary>Trainings finished (published, rejected or failed) since start.</summary>
    public int CompletedRuns => Volatile.Read(ref _runs);

    public bool IsTraining { get; private set; }

    /// <summary>Raised after each run with its outcome, or null when it failed.</summary>
    public event Action<TrainingOutcome?>? RunCompleted;

    public void Request(RetrainRequested request)
    {
        bool wake;
        lock (_lock)
        {
            wake = _pending.Count == 0;
            _pending.Add(request);
        }

        if (IsTraining)
        {
            LogCoalesced(request.CorrelationId, request.RequestedBy);
        }

        if (wake)
        {
            _wake.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _wake.WaitAsync(stoppingToken);
            List<RetrainRequested> batch;
            lock (_lock)
            {
                batch = [.. _pending];
                _pending.Clear();
            }

            if (batch.Count == 0)
            {
                continue;
            }

            IsTraining = true;
            TrainingOutcome? outcome = null;
            try
            {
                // The training itself is CPU-bound for minutes: keep it off the host's threads.
                outcome = await Task.Run(() => RunOnceAsync(batch, stoppingToken), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(e, batch[0].CorrelationId, e.Message);
            }
            finally
            {
                IsTraining = false;
                Interlocked.Increment(ref _runs);
            }

            RunCompleted?.Invoke(outcome);
        }
    }

    private async Task<TrainingOutcome> RunOnceAsync(List<RetrainRequested> batch, CancellationToken cancellationToken)
    {
        var first = batch[0];
        var settings = options.Value;
        LogStarting(first.CorrelationId, batch.Count, string.Join(", ", batch.Select(r => r.Reason ?? r.RequestedBy).Distinct()));
        var catalogue = services.GetRequiredService<IFeatureCatalogue>();
        var registry = services.GetRequiredService<ModelRegistry>();
        var progress = new Progress<EpochReport>(e => LogEpoch(e.Epoch, e.MaxEpochs, e.Loss, e.ValidationRecallAt10));
        var outcome = await TrainingPipeline.RunAsync(catalogue, registry, settings.Training, settings.Tolerance, progress, cancellationToken);
        var bus = services.GetRequiredService<IBus>();

        // One answer per coalesced request, each under its own correlation id: whoever asked (a platform among them)
        // finds the answer to its request without a lookup. The embedder builds a published version once; a repeat
        // finds it live and answers ModelActivated under that request's id.
        foreach (var correlationId in batch.Select(r => r.CorrelationId).Distinct())
        {
            if (outcome.Decision.Publish)
            {
                await bus.Publish(
                    new ModelPublished(outcome.Manifest.Version, correlationId, new Uri(outcome.Folder), outcome.Manifest.Metrics.ToImmutableDictionary(), DateTimeOffset.UtcNow),
                    cancellationToken);
            }
            else
            {
                await bus.Publish(
                    new ModelRejected(outcome.Manifest.Version, correlationId, outcome.Decision.Candidate, outcome.Decision.Live ?? double.NaN,
                        outcome.Decision.Tolerance, outcome.Decision.Reason, DateTimeOffset.UtcNow),
                    cancellationToken);
            }
        }

        if (outcome.Decision.Publish)
        {
            LogPublished(outcome.Manifest.Version, outcome.Decision.Reason);
        }
        else
        {
            LogRejected(outcome.Manifest.Version, outcome.Decision.Reason);
        }

        return outcome;
    }

    [LoggerMessage(8001, LogLevel.Information, "Training {CorrelationId} starts for {Requests} request(s): {Reasons}")]
    private partial void LogStarting(Guid correlationId, int requests, string reasons);

    [LoggerMessage(8002, LogLevel.Information, "Retrain request {CorrelationId} from {RequestedBy} arrived during a training: one more run follows it")]
    private partial void LogCoalesced(Guid correlationId, string requestedBy);

    [LoggerMessage(8003, LogLevel.Information, "Epoch {Epoch}/{MaxEpochs}: loss {Loss:0.0000}, validation R@10 {RecallAt10:0.0000}")]
    private partial void LogEpoch(int epoch, int maxEpochs, double loss, double recallAt10);

    [LoggerMessage(8004, LogLevel.Information, "Model {Version} published: {Reason}")]
    private partial void LogPublished(string version, string reason);

    [LoggerMessage(8005, LogLevel.Warning, "Model {Version} kept but not published: {Reason}")]
    private partial void LogRejected(string version, string reason);

    [LoggerMessage(8006, LogLevel.Error, "Training {CorrelationId} failed: {Reason}")]
    private partial void LogFailed(Exception exception, Guid correlationId, string reason);
}
