using System.Threading.RateLimiting;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Commands;
using VmNet.Contracts;
using VmNet.Hosting;
using VmNet.Ingest;
using VmNet.ServiceDefaults;

namespace VmNet.Cli.Bulk;

/// <summary>What <c>vmnet ingest --from</c> was asked to do.</summary>
internal sealed record BulkOptions(string ListPath, MediaKind Kind, int Concurrency, double? Rate, TimeSpan Timeout);

/// <summary>A line that did not end as an item, and why.</summary>
internal sealed record LineFailure(int Line, string? Source, string Reason, bool Retried);

/// <summary>The result of one run over a list (what <c>--json</c> prints).</summary>
internal sealed record BulkSummary(
    string List, string State, int Lines, int Ingested, int AlreadyThere, int Failed, IReadOnlyList<LineFailure> Failures);

/// <summary>
/// One run of <c>vmnet ingest --from LIST</c>: streams the list, publishes at most <see cref="BulkOptions.Concurrency"/>
/// requests at a time and at most <see cref="BulkOptions.Rate"/> a second, and records each line's state in the
/// list's journal (<see cref="BulkJournal"/>) so that a rerun continues where this one stopped.
/// <para>
/// On RabbitMQ the answers come to a durable queue of the list's own (<c>bulk-ingest-&lt;state name&gt;</c>), not
/// to a temporary one: a request still queued or being worked on when this process is stopped is answered into that
/// queue, and the rerun collects the answer there instead of sending the request a second time. The queue expires
/// when no run has used it for <see cref="AnswerQueueExpiry"/>. On the embedded default the roles run in this process
/// and die with it, so a request that was in flight is simply sent again (the same bytes are the same item).
/// </para>
/// </summary>
internal sealed class BulkIngestRun(BulkOptions options, CommandContext context)
{
    /// <summary>How long an unused answer queue lives: it collects every MediaIngested of the platform meanwhile.</summary>
    public static readonly TimeSpan AnswerQueueExpiry = TimeSpan.FromDays(1);

    private readonly List<LineFailure> _failures = [];
    private int _ingested;
    private int _alreadyThere;
    private int _lines;

    public async Task<BulkSummary> RunAsync(IProgress<BulkProgress>? progress, CancellationToken cancellationToken)
    {
        var list = InputFiles.Existing(options.ListPath);
        var embedded = !context.OnRabbitMq;
        var name = BulkJournal.NameFor(list);
        await using var journal = await BulkJournal.OpenAsync(Path.Combine(context.Data.Root, "bulk"), name, cancellationToken);
        var answers = new BulkAnswers();

        // Requests an earlier run sent whose answers it did not see: on RabbitMQ they wait in the list's queue, so they
        // are expected before the bus starts (the queue delivers at once); in this process they died with the last one.
        var restored = new Dictionary<Guid, (JournalEntry Sent, BulkAnswers.Pending Pending)>();
        if (!embedded)
        {
            foreach (var sent in journal.InState(LineState.Sent))
            {
                restored[sent.Key] = (sent, answers.Expect(sent.CorrelationId!.Value, answer => journal.RecordAsync(Answered(sent, answer))));
            }
        }

        var queue = $"bulk-ingest-{name}";
        context.Overrides.TryAdd("Search:GrpcUrl", "http://127.0.0.1:0");
        context.Overrides.TryAdd("Search:HttpUrl", string.Empty);
        await using var app = embedded
            ? context.BuildHost([], b => Configure(b, answers, queue, durable: false))
            : context.BuildClient(b => Configure(b, answers, queue, durable: true));
        await app.StartAsync(cancellationToken);
        var bus = app.Services.GetRequiredService<IBus>();
        var total = await CountLinesAsync(list, cancellationToken);

        using var limiter = options.Rate is { } rate ? Limiter(rate) : null;
        using var slots = new SemaphoreSlim(options.Concurrency);
        var inFlight = new List<Task>();
        var thisRun = new HashSet<Guid>();
        var progressLine = 0;
        try
        {
            using var reader = new StreamReader(list, detectEncodingFromByteOrderMarks: true);
            await foreach (var line in BulkList.ReadAsync(reader, Path.GetDirectoryName(list)!, cancellationToken))
            {
                progressLine = line.Number;
                Interlocked.Increment(ref _lines);
                if (line.Item is not { } item)
                {
                    Fail(new LineFailure(line.Number, null, line.Error!, false));
                    continue;
                }

                var key = item.Key(options.Kind);
                if (!thisRun.Add(key))
                {
                    Interlocked.Increment(ref _alreadyThere);
                    continue; // the same request as an earlier line of this list: sent once, counted there
                }

                if (restored.Remove(key, out var previous))
                {
                    // Sent by an earlier run: its answer comes from the queue (perhaps already has); never send it twice.
                    await slots.WaitAsync(cancellationToken);
                    inFlight.Add(Track(WaitRestoredAsync(line.Number, item, previous.Sent, previous.Pending, journal, answers), slots));
                    continue;
                }

                switch (journal.Last(key))
                {
                    case { State: LineState.Ingested }:
                        Interlocked.Increment(ref _alreadyThere);
                        continue;
                    case { State: LineState.Failed } failed:
                        Fail(new LineFailure(line.Number, Shown(item.Source), failed.Reason ?? "failed", false));
                        continue;
                }

                await slots.WaitAsync(cancellationToken);
                progress?.Report(Snapshot(progressLine, total, options.Concurrency - slots.CurrentCount));
                if (limiter is not null)
                {
                    using var lease = await limiter.AcquireAsync(1, cancellationToken);
                }

                inFlight.Add(Track(SendAsync(line.Number, key, item, journal, answers, bus, app, embedded, cancellationToken), slots));
                inFlight.RemoveAll(t => t.IsCompleted);
                progress?.Report(Snapshot(progressLine, total, options.Concurrency - slots.CurrentCount));
            }

            while (inFlight.Count > 0)
            {
                await Task.WhenAny(Task.WhenAll(inFlight), Task.Delay(500, cancellationToken));
                inFlight.RemoveAll(t => t.IsCompleted);
                progress?.Report(Snapshot(progressLine, total, inFlight.Count));
            }
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }

        progress?.Report(Snapshot(progressLine, total, 0));
        List<LineFailure> failures;
        lock (_failures)
        {
            failures = [.. _failures.OrderBy(f => f.Line)];
        }

        return new BulkSummary(list, journal.Path, _lines, _ingested, _alreadyThere, failures.Count, failures);
    }

    private BulkProgress Snapshot(int line, int total, int inFlight)
    {
        lock (_failures)
        {
            return new BulkProgress(line, total, Volatile.Read(ref _ingested), Volatile.Read(ref _alreadyThere), _failures.Count, inFlight);
        }
    }

    private static void Configure(WebApplicationBuilder builder, BulkAnswers answers, string queue, bool durable)
    {
        if (!durable)
        {
            builder.AddPipelineEvents();
        }

        builder.Services.AddSingleton(answers);
        builder.Services.AddRoleConsumers("bulk", bus =>
        {
            bus.AddConsumer<BulkAnswersConsumer>().Endpoint(e =>
            {
                e.Name = durable ? queue : $"{queue}-{Guid.NewGuid().ToString("N")[..12]}";
                e.Temporary = !durable;
            });
            bus.AddConfigureEndpointsCallback((name, endpoint) =>
            {
                if (name == queue && endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    rabbit.QueueExpiration = AnswerQueueExpiry;
                }
            });
        });
    }

    private static TokenBucketRateLimiter Limiter(double rate)
    {
        // Whole tokens per period; a period of at least 100 ms keeps the timer coarse for high rates.
        var period = TimeSpan.FromSeconds(Math.Max(1 / rate, 0.1));
        var tokens = Math.Max(1, (int)Math.Round(rate * period.TotalSeconds));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 1,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    private static async Task Track(Task work, SemaphoreSlim slots)
    {
        try
        {
            await work;
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task SendAsync(
        int number, Guid key, BulkItem item, BulkJournal journal, BulkAnswers answers, IBus bus, WebApplication app,
        bool embedded, CancellationToken cancellationToken)
    {
        var sent = new JournalEntry(key, number, LineState.Sent, Guid.NewGuid());
        var request = new IngestRequested(sent.CorrelationId!.Value, item.Source, options.Kind, DateTimeOffset.UtcNow, item.ExternalId, item.Labels);
        // On RabbitMQ the answer is journaled as it arrives, before the broker forgets it; in this process the line is
        // done only when its features are stored too, so it is journaled after that.
        var pending = answers.Expect(request.CorrelationId, embedded ? _ => Task.CompletedTask : answer => journal.RecordAsync(Answered(sent, answer)));
        if (embedded && IngestSource.Classify(item.Source) == SourceKind.LocalPath)
        {
            // The person at the keyboard named this file in their list: ingest in this process may read it wherever it is.
            app.Services.GetRequiredService<OperatorFiles>().Grant(item.Source);
        }

        await journal.RecordAsync(sent, cancellationToken);
        await bus.Publish(request, cancellationToken);
        object answer;
        try
        {
            answer = await pending.Answer.Task.WaitAsync(options.Timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Still expected: a late answer is journaled by the consumer; the line stays "sent" and a rerun waits again.
            Fail(new LineFailure(number, Shown(item.Source), $"no answer within {options.Timeout.TotalSeconds:0} s; a rerun collects it", true));
            return;
        }

        if (embedded)
        {
            var entry = Answered(sent, answer);
            var events = app.Services.GetRequiredService<PipelineEvents>();
            if (answer is MediaIngested ingested)
            {
                try
                {
                    if (await app.Services.WaitProcessedAsync(ingested, options.Timeout, cancellationToken) is { } failure)
                    {
                        entry = entry with { State = LineState.Failed, Reason = "features failed: " + failure, Source = Shown(item.Source) };
                    }
                }
                catch (TimeoutException e)
                {
                    entry = entry with { State = LineState.Retry, Reason = e.Message, Source = Shown(item.Source) };
                }
                finally
                {
                    events.Forget(m => MediaIdOf(m) == ingested.MediaId);
                }
            }

            events.Forget(m => m is IngestFailed f && f.CorrelationId == request.CorrelationId
                || m is Fault<IngestRequested> c && c.Message.CorrelationId == request.CorrelationId);
            await journal.RecordAsync(entry, CancellationToken.None);
        }

        Count(number, item, Answered(sent, answer), journal);
    }

    private async Task WaitRestoredAsync(
        int number, BulkItem item, JournalEntry sent, BulkAnswers.Pending pending, BulkJournal journal, BulkAnswers answers)
    {
        try
        {
            Count(number, item, Answered(sent, await pending.Answer.Task.WaitAsync(options.Timeout)), journal);
        }
        catch (TimeoutException)
        {
            // Two runs have waited: the request was lost (the process stopped between journaling it and publishing it).
            answers.Forget(sent.CorrelationId!.Value);
            var reason = $"sent by an earlier run, no answer within {options.Timeout.TotalSeconds:0} s; a rerun sends it again";
            await journal.RecordAsync(sent with { State = LineState.Retry, Reason = reason, Source = Shown(item.Source) });
            Fail(new LineFailure(number, Shown(item.Source), reason, true));
        }
    }

    private void Count(int number, BulkItem item, JournalEntry answered, BulkJournal journal)
    {
        switch (answered.State)
        {
            case LineState.Ingested when journal.HasMedia(answered.MediaId!, answered.Key):
                Interlocked.Increment(ref _alreadyThere); // the same bytes as another line: one item
                break;
            case LineState.Ingested:
                Interlocked.Increment(ref _ingested);
                break;
            default:
                Fail(new LineFailure(number, Shown(item.Source), answered.Reason ?? "failed", answered.State == LineState.Retry));
                break;
        }
    }

    private void Fail(LineFailure failure)
    {
        lock (_failures)
        {
            _failures.Add(failure);
        }
    }

    /// <summary>The journal entry for ingest's <paramref name="answer"/> to <paramref name="sent"/>.</summary>
    private static JournalEntry Answered(JournalEntry sent, object answer) => answer switch
    {
        MediaIngested i => sent with { State = LineState.Ingested, MediaId = i.MediaId },
        IngestFailed f => sent with { State = LineState.Failed, Reason = f.Reason },
        Fault<IngestRequested> f => sent with
        {
            State = LineState.Retry,
            Reason = "ingest crashed: " + string.Join("; ", f.Exceptions.Select(e => e.Message)),
        },
        _ => throw new InvalidOperationException($"not an ingest answer: {answer.GetType().Name}"),
    };

    private static string? MediaIdOf(object message) => message switch
    {
        MediaIngested m => m.MediaId,
        AudioFeaturesExtracted m => m.MediaId,
        VideoFeaturesExtracted m => m.MediaId,
        FeatureExtractionFailed m => m.MediaId,
        MediaEmbedded m => m.MediaId,
        SoundtrackSuggested m => m.MediaId,
        _ => null,
    };

    // Local files are shown by name only: a summary may be pasted anywhere; the line number finds the rest.
    private static string Shown(string source) => IngestSource.Display(source);

    private static async Task<int> CountLinesAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var buffer = new byte[1 << 16];
        int read, lines = 0;
        var last = (byte)'\n';
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            last = buffer[read - 1];
        }

        return last == '\n' ? lines : lines + 1;
    }
}

/// <summary>Where a run stands, for the progress bar.</summary>
internal readonly record struct BulkProgress(int Line, int TotalLines, int Ingested, int AlreadyThere, int Failed, int InFlight);
