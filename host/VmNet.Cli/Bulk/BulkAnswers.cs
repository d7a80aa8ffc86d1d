using System.Collections.Concurrent;
using MassTransit;
using VmNet.Contracts;

namespace VmNet.Cli.Bulk;

/// <summary>
/// The answers a bulk run waits for, by correlation id. An answer is recorded (journaled) before its consumer returns,
/// so the broker drops the message only once the journal has it; anything not awaited (another client's items) is
/// acknowledged and dropped.
/// </summary>
internal sealed class BulkAnswers
{
    private readonly ConcurrentDictionary<Guid, Pending> _pending = new();

    public int Count => _pending.Count;

    /// <summary>
    /// Waits for ingest's answer to <paramref name="correlationId"/>; <paramref name="record"/> runs when it comes, before
    /// the message is acknowledged. Register before publishing (or, for a request an earlier run sent, before the bus starts).
    /// </summary>
    public Pending Expect(Guid correlationId, Func<object, Task> record) =>
        _pending.GetOrAdd(correlationId, _ => new Pending(record));

    /// <summary>Stops waiting for <paramref name="correlationId"/>: a later answer is dropped.</summary>
    public void Forget(Guid correlationId) => _pending.TryRemove(correlationId, out _);

    public bool IsExpected(Guid correlationId) => _pending.ContainsKey(correlationId);

    internal async Task DeliverAsync(Guid correlationId, object answer)
    {
        if (_pending.TryRemove(correlationId, out var pending))
        {
            await pending.Record(answer);
            pending.Answer.TrySetResult(answer);
        }
    }

    internal sealed class Pending(Func<object, Task> record)
    {
        public Func<object, Task> Record { get; } = record;

        public TaskCompletionSource<object> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Hands ingest's answers to <see cref="BulkAnswers"/>.</summary>
internal sealed class BulkAnswersConsumer(BulkAnswers answers) :
    IConsumer<MediaIngested>, IConsumer<IngestFailed>, IConsumer<Fault<IngestRequested>>
{
    public Task Consume(ConsumeContext<MediaIngested> context) => answers.DeliverAsync(context.Message.CorrelationId, context.Message);

    public Task Consume(ConsumeContext<IngestFailed> context) => answers.DeliverAsync(context.Message.CorrelationId, context.Message);

    public Task Consume(ConsumeContext<Fault<IngestRequested>> context) => answers.DeliverAsync(context.Message.Message.CorrelationId, context.Message);
}
