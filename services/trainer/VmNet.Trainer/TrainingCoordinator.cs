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
/// <para>
/// Durable (<see cref="TrainerJournal"/>): a request is on disk before <see cref="Request"/> returns (so before the
/// bus message is acked) and leaves only once its answer is in the outbox. A decision is written to the outbox before the
/// published marker, the marker before any message, and the outbox entry is removed once every message is sent; at
/// start the outbox is sent again (marker first) and recorded requests are run. A crash can therefore repeat an answer,
/// never lose or invent one: <c>ModelPublished</c> goes out only for a complete folder that carries the marker, and its
/// consumer treats a repeat of the live version as done.
/// </para>
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

    /// <summary>Records <paramref name="request"/> durably, then queues it; throws when it cannot be recorded.</summary>
    public void Request(RetrainRequested request)
    {
        Journal.AddRequest(request);
        Enqueue(request);
    }

    private TrainerJournal Journal => services.GetRequiredService<TrainerJournal>();

    private void Enqueue(RetrainRequested request)
    {
        bool wake;
        lock (_lock)
        {
            if (_pending.Any(p => p.CorrelationId == request.CorrelationId))
            {
                // A redelivery of a request recorded before a crash (and loaded again at start).
                return;
            }

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
        await RecoverAsync(stoppingToken);
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

            // Answers a failed send left behind go out before the next ones.
            await SendOutboxAsync(stoppingToken);
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
                // A training that fails (too few pairs, a bad catalogue) has had its turn; running it again at every
                // start would not answer it either.
                LogFailed(e, batch[0].CorrelationId, e.Message);
                foreach (var request in batch)
                {
                    Journal.RemoveRequest(request.CorrelationId);
                }
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
        var outcome = await TrainingPipeline.RunAsync(catalogue, registry, settings.Training, settings.Tolerance, progress, cancellationToken, markPublished: false);

        // One answer per coalesced request, each under its own correlation id: whoever asked (a platform among them)
        // finds the answer to its request without a lookup. The embedder builds a published version once; a repeat
        // finds it live and answers ModelActivated under that request's id.
        var now = DateTimeOffset.UtcNow;
        var ids = batch.Select(r => r.CorrelationId).Distinct().ToList();
        var decision = outcome.Decision;
        var entry = new OutboxEntry(
            outcome.Manifest.Version, decision.Publish, now,
            decision.Publish
                ? [.. ids.Select(id => new ModelPublished(outcome.Manifest.Version, id, new Uri(outcome.Folder), outcome.Manifest.Metrics.ToImmutableDictionary(), now))]
                : [],
            decision.Publish
                ? []
                : [.. ids.Select(id => new ModelRejected(outcome.Manifest.Version, id, decision.Candidate, decision.Live ?? double.NaN, decision.Tolerance, decision.Reason, now))]);
        var journal = Journal;
        journal.AddOutbox(entry);
        foreach (var id in ids)
        {
            journal.RemoveRequest(id);
        }

        await SendAsync(entry, cancellationToken);

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

    /// <summary>Sends what the outbox holds (a crash came between a decision and its messages), then queues recorded requests.</summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        // The bus (a hosted service too) may start after this one: send nothing before the host has started.
        if (services.GetService<IHostApplicationLifetime>() is { } lifetime && !lifetime.ApplicationStarted.IsCancellationRequested)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
            await started.Task.WaitAsync(cancellationToken);
        }

        var journal = Journal;
        var answered = await SendOutboxAsync(cancellationToken);
        foreach (var request in journal.PendingRequests((name, reason) => LogUnreadable(name, reason)))
        {
            if (answered.Contains(request.CorrelationId))
            {
                // Its answer was recorded before the crash removed the request: it was sent above.
                journal.RemoveRequest(request.CorrelationId);
                continue;
            }

            LogRecovered(request.CorrelationId, request.RequestedBy);
            Enqueue(request);
        }
    }

    /// <summary>Sends every outbox entry; one that fails stays for the next attempt. The correlation ids the entries answer.</summary>
    private async Task<HashSet<Guid>> SendOutboxAsync(CancellationToken cancellationToken)
    {
        var answered = new HashSet<Guid>();
        foreach (var entry in Journal.Outbox((name, reason) => LogUnreadable(name, reason)))
        {
            answered.UnionWith(entry.CorrelationIds);
            try
            {
                await SendAsync(entry, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSendFailed(e, entry.Version, e.Message);
            }
        }

        return answered;
    }

    /// <summary>Marker first (idempotent), then every message, then the outbox entry goes.</summary>
    private async Task SendAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var registry = services.GetRequiredService<ModelRegistry>();
        if (entry.Publish)
        {
            if (!IsComplete(registry, entry.Version))
            {
                // Never announce a folder that is not complete (or not there): the entry is not the trainer's.
                LogNoFolder(entry.Version);
                Journal.RemoveOutbox(entry);
                return;
            }

            var folder = registry.FolderOf(entry.Version);
            if (!File.Exists(Path.Combine(folder, ModelFolder.PublishedMarker)))
            {
                ModelFolder.MarkPublished(folder, entry.DecidedAt);
            }
        }

        var bus = services.GetRequiredService<IBus>();
        foreach (var message in entry.Published)
        {
            await bus.Publish<ModelPublished>(message, cancellationToken);
        }

        foreach (var message in entry.Rejected)
        {
            await bus.Publish<ModelRejected>(message, cancellationToken);
        }

        Journal.RemoveOutbox(entry);
    }

    private static bool IsComplete(ModelRegistry registry, string version)
    {
        try
        {
            return registry.Find(version) is not null;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [LoggerMessage(8007, LogLevel.Information, "Retrain request {CorrelationId} from {RequestedBy} was recorded before a restart: it runs now")]
    private partial void LogRecovered(Guid correlationId, string requestedBy);

    [LoggerMessage(8008, LogLevel.Error, "Answers for model {Version} could not be sent (kept, sent again before the next training or at the next start): {Reason}")]
    private partial void LogSendFailed(Exception exception, string version, string reason);

    [LoggerMessage(8009, LogLevel.Warning, "Trainer record {Name} is unreadable and was dropped: {Reason}")]
    private partial void LogUnreadable(string name, string reason);

    [LoggerMessage(8010, LogLevel.Warning, "Outbox entry for model {Version} dropped: no complete model folder")]
    private partial void LogNoFolder(string version);

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
