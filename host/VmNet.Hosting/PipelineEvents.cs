using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VmNet.Contracts;
using VmNet.ServiceDefaults;

namespace VmNet.Hosting;

/// <summary>
/// Everything the pipeline publishes, as seen by this process: what <c>vmnet ingest --wait</c>, the demo and
/// the tests wait on. Its consumer listens on a temporary queue, so each observing process gets its own copy.
/// </summary>
public sealed class PipelineEvents
{
    private readonly ConcurrentQueue<object> _events = new();
    private readonly ConcurrentQueue<Observed> _observed = new();
    private readonly List<(Func<object, bool> Match, TaskCompletionSource<object> Done)> _waiters = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<object> All => [.. _events];

    public IEnumerable<T> OfType<T>() => _events.OfType<T>();

    /// <summary>Every event with the process that published it (which worker did the work).</summary>
    public IReadOnlyList<Observed> WithPublisher => [.. _observed];

    internal void Add(object message, int? publisherProcessId = null, string? publisherMachine = null)
    {
        lock (_gate)
        {
            _observed.Enqueue(new Observed(message, publisherProcessId, publisherMachine, DateTimeOffset.UtcNow));
            _events.Enqueue(message);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(message))
                {
                    _waiters[i].Done.TrySetResult(message);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>
    /// Drops the events <paramref name="match"/> selects. A long run (a bulk ingest of 200K lines) forgets the items it
    /// is done with, so it holds only what is in flight instead of every event of the run.
    /// </summary>
    public void Forget(Func<object, bool> match)
    {
        lock (_gate)
        {
            var keep = _observed.Where(o => !match(o.Message)).ToList();
            _observed.Clear();
            _events.Clear();
            foreach (var observed in keep)
            {
                _observed.Enqueue(observed);
                _events.Enqueue(observed.Message);
            }
        }
    }

    /// <summary>The first event (already seen or still to come) for which <paramref name="match"/> holds.</summary>
    public async Task<object> WaitAsync(Func<object, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = _events.FirstOrDefault(match);
            if (seen is not null)
            {
                return seen;
            }

            _waiters.Add((match, done));
        }

        try
        {
            return await done.Task.WaitAsync(timeout, cancellationToken);
        }
        finally
        {
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Done == done);
            }
        }
    }

    /// <summary>Ingest's answer to one request: <see cref="MediaIngested"/>, <see cref="IngestFailed"/> or the request's fault.</summary>
    public Task<object> WaitIngestAnswerAsync(Guid correlationId, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitAsync(
            m => m switch
            {
                MediaIngested i => i.CorrelationId == correlationId,
                IngestFailed f => f.CorrelationId == correlationId,
                Fault<IngestRequested> f => f.Message.CorrelationId == correlationId,
                _ => false,
            },
            timeout,
            cancellationToken);

    /// <summary>The trainer's answer to one <see cref="RetrainRequested"/>: <see cref="ModelPublished"/> or <see cref="ModelRejected"/>.</summary>
    public Task<object> WaitModelAnswerAsync(Guid correlationId, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitEitherAsync<ModelPublished, ModelRejected>(p => p.CorrelationId == correlationId, r => r.CorrelationId == correlationId, timeout, cancellationToken);

    /// <summary>The embedder's answer for one model version: <see cref="ModelActivated"/> or <see cref="ModelActivationFailed"/>.</summary>
    public Task<object> WaitActivationAsync(string modelVersion, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitEitherAsync<ModelActivated, ModelActivationFailed>(a => a.ModelVersion == modelVersion, f => f.ModelVersion == modelVersion, timeout, cancellationToken);

    /// <summary>The answer to one <see cref="MediaRemovalRequested"/>: its <see cref="MediaRemoved"/>.</summary>
    public Task<MediaRemoved> WaitRemovedAsync(Guid correlationId, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitAsync<MediaRemoved>(r => r.CorrelationId == correlationId, timeout, cancellationToken);

    /// <summary>The first event that is a matching <typeparamref name="TDone"/> or a matching <typeparamref name="TFailed"/>.</summary>
    public Task<object> WaitEitherAsync<TDone, TFailed>(
        Func<TDone, bool> done, Func<TFailed, bool> failed, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitAsync(m => (m is TDone d && done(d)) || (m is TFailed f && failed(f)), timeout, cancellationToken);

    public async Task<T> WaitAsync<T>(Func<T, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        (T)await WaitAsync(m => m is T t && match(t), timeout, cancellationToken);

    /// <summary>
    /// Until the named halves of <paramref name="mediaId"/> are embedded under <paramref name="modelVersion"/> (the
    /// embedder reports each half as its features arrive, so a pair can take two events). Returns the item's
    /// <see cref="FeatureExtractionFailed"/> instead when one comes first, else null.
    /// </summary>
    public async Task<FeatureExtractionFailed?> WaitEmbeddedAsync(
        string mediaId, string modelVersion, bool music, bool video, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        foreach (var isMusic in new[] { true, false }.Where(m => m ? music : video))
        {
            var seen = await WaitAsync(
                m => m switch
                {
                    MediaEmbedded e => e.MediaId == mediaId && e.ModelVersion == modelVersion && (isMusic ? e.MusicEmbedded : e.VideoEmbedded),
                    FeatureExtractionFailed f => f.MediaId == mediaId,
                    _ => false,
                },
                Remaining(deadline),
                cancellationToken);
            if (seen is FeatureExtractionFailed failed)
            {
                return failed;
            }
        }

        return null;
    }

    /// <summary>What is left of a wait that ends at <paramref name="deadline"/>.</summary>
    internal static TimeSpan Remaining(DateTime deadline) =>
        deadline > DateTime.UtcNow ? deadline - DateTime.UtcNow : TimeSpan.Zero;
}

/// <summary>An event as this process received it, with the host that published it.</summary>
public sealed record Observed(object Message, int? PublisherProcessId, string? PublisherMachine, DateTimeOffset ReceivedAt);

/// <summary>Feeds <see cref="PipelineEvents"/>.</summary>
public sealed class PipelineEventsConsumer(PipelineEvents events) :
    IConsumer<MediaIngested>, IConsumer<IngestFailed>, IConsumer<Fault<IngestRequested>>,
    IConsumer<AudioFeaturesExtracted>, IConsumer<VideoFeaturesExtracted>, IConsumer<FeatureExtractionFailed>,
    IConsumer<MediaEmbedded>, IConsumer<SoundtrackSuggested>,
    IConsumer<ModelPublished>, IConsumer<ModelRejected>, IConsumer<ModelActivated>, IConsumer<ModelActivationFailed>,
    IConsumer<MediaPurged>, IConsumer<MediaRemoved>
{
    public Task Consume(ConsumeContext<MediaIngested> context) => Record(context);

    public Task Consume(ConsumeContext<IngestFailed> context) => Record(context);

    public Task Consume(ConsumeContext<Fault<IngestRequested>> context) => Record(context);

    public Task Consume(ConsumeContext<AudioFeaturesExtracted> context) => Record(context);

    public Task Consume(ConsumeContext<VideoFeaturesExtracted> context) => Record(context);

    public Task Consume(ConsumeContext<FeatureExtractionFailed> context) => Record(context);

    public Task Consume(ConsumeContext<MediaEmbedded> context) => Record(context);

    public Task Consume(ConsumeContext<SoundtrackSuggested> context) => Record(context);

    public Task Consume(ConsumeContext<ModelPublished> context) => Record(context);

    public Task Consume(ConsumeContext<ModelRejected> context) => Record(context);

    public Task Consume(ConsumeContext<ModelActivated> context) => Record(context);

    public Task Consume(ConsumeContext<ModelActivationFailed> context) => Record(context);

    public Task Consume(ConsumeContext<MediaPurged> context) => Record(context);

    public Task Consume(ConsumeContext<MediaRemoved> context) => Record(context);

    private Task Record<T>(ConsumeContext<T> context)
        where T : class
    {
        events.Add(context.Message, context.Host?.ProcessId, context.Host?.MachineName);
        return Task.CompletedTask;
    }
}

public static class PipelineEventsExtensions
{
    public static IHostApplicationBuilder AddPipelineEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PipelineEvents>();
        builder.Services.AddRoleConsumers("observer", bus =>
            bus.AddConsumer<PipelineEventsConsumer>().Endpoint(e =>
            {
                // One queue per observing process: two observers must each see every event, not share them.
                e.Temporary = true;
                e.InstanceId = Guid.NewGuid().ToString("N")[..12];
            }));
        return builder;
    }
}
