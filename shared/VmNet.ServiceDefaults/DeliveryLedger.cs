using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using MassTransit;

namespace VmNet.ServiceDefaults;

public enum DeliveryPhase
{
    /// <summary>A consumer took the message; it is unacknowledged until <see cref="Consumed"/> or <see cref="Faulted"/>.</summary>
    Received,

    /// <summary>The consumer finished its store writes; its publishes and the ack follow.</summary>
    Consumed,

    /// <summary>An attempt of the consumer threw; a retry, a redelivery or the _error queue follows.</summary>
    Faulted,
}

/// <summary>One delivery of one message to one role's queue, as the consuming process saw it.</summary>
public sealed record DeliveryRecord(
    string Queue,
    string MessageType,
    Guid MessageId,
    string? MediaId,
    bool Redelivered,
    DeliveryPhase Phase,
    string Process,
    DateTimeOffset At);

/// <summary>
/// Where each role process records the deliveries it gets (<c>Bus:DeliveryLedger=true</c>), so loss and duplicates
/// are counted from what the consumers did, not inferred from a store whose keys hide them. A durable store shared by
/// every process (PostgreSQL) implements it.
/// </summary>
public interface IDeliveryLedger
{
    Task RecordAsync(DeliveryRecord record, CancellationToken cancellationToken);
}

/// <summary>
/// A filter on a role's consumer: records <see cref="DeliveryPhase.Received"/> when a delivery first reaches the
/// consumer, then <see cref="DeliveryPhase.Consumed"/> when the consumer returned (its publishes leave from the
/// in-memory outbox right after, then the ack) or <see cref="DeliveryPhase.Faulted"/> for each failed attempt. A
/// process killed in between leaves a Received with no end: the message it held, which the broker delivers again.
/// </summary>
public sealed class DeliveryLedgerFilter<T>(IDeliveryLedger ledger) : IFilter<ConsumeContext<T>>
    where T : class
{
    private static readonly Func<T, string?> MediaIdOf = MediaIdReader();
    private static readonly string Process = $"{Environment.MachineName}:{Environment.ProcessId}";

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var queue = context.ReceiveContext.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "?";
        DeliveryRecord Record(DeliveryPhase phase) => new(
            queue, typeof(T).Name, context.MessageId ?? Guid.Empty, MediaIdOf(context.Message), context.ReceiveContext.Redelivered, phase, Process, DateTimeOffset.UtcNow);

        // Recorded before the consumer runs and not cancellable by it: a Received must be durable before any effect.
        // MassTransit runs this filter inside the endpoint's retry: a retry of the same delivery is not a new one.
        if (context.GetRetryAttempt() == 0)
        {
            await ledger.RecordAsync(Record(DeliveryPhase.Received), CancellationToken.None);
        }

        try
        {
            await next.Send(context);
        }
        catch
        {
            await ledger.RecordAsync(Record(DeliveryPhase.Faulted), CancellationToken.None);
            throw;
        }

        await ledger.RecordAsync(Record(DeliveryPhase.Consumed), CancellationToken.None);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("deliveryLedger");

    private static Func<T, string?> MediaIdReader()
    {
        var property = typeof(T).GetProperty("MediaId", BindingFlags.Public | BindingFlags.Instance);
        return property?.PropertyType == typeof(string) ? m => (string?)property.GetValue(m) : _ => null;
    }
}

/// <summary>
/// Gives a message published while consuming another an id derived from the consumed message's id, its destination
/// (the message type's exchange) and its place among that consumer's publishes there. A consumer that runs again for
/// the same delivery (a redelivery after a crash or a lost ack) publishes the same ids: downstream, the repeat is
/// recognisably the same message, not a second one. Publishes outside a consumer keep MassTransit's ids. One instance
/// for the bus, not a scoped filter: the in-memory outbox publishes after the consumer's scope is gone.
/// </summary>
public sealed class CausalMessageIdFilter : IFilter<PublishContext>
{
    public Task Send(PublishContext context, IPipe<PublishContext> next)
    {
        if (context.TryGetPayload<ConsumeContext>(out var consume) && consume.MessageId is { } parent)
        {
            var destination = context.DestinationAddress?.AbsolutePath ?? string.Empty;
            var sequence = consume.GetOrAddPayload(() => new PublishSequence()).Next(destination);
            context.MessageId = Derive(parent, destination, sequence);
        }

        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("causalMessageId");

    public static Guid Derive(Guid parent, string destination, int sequence)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{parent:N}/{destination}/{sequence}"), hash);
        return new Guid(hash[..16]);
    }

    private sealed class PublishSequence
    {
        private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

        public int Next(string destination) => _counts.AddOrUpdate(destination, 0, (_, n) => n + 1);
    }
}
