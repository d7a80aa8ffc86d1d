namespace VmNet.Contracts;

/// <summary>
/// A takedown: forget one item everywhere (its features, metadata, vectors of every generation, media parts, caches
/// and soundtrack suggestions). Names the item by <paramref name="MediaId"/> or by the platform's
/// <paramref name="ExternalId"/> (exactly one). The answer is <see cref="MediaRemoved"/> with the same correlation id,
/// also for a repeated request or an unknown item.
/// </summary>
public sealed record MediaRemovalRequested(
    Guid CorrelationId,
    string? MediaId,
    string? ExternalId,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    string? Reason = null);
