namespace VmNet.Contracts;

/// <summary>
/// The answer to <see cref="MediaRemovalRequested"/>. Once it is out, no search answer and no soundtrack suggestion
/// names <paramref name="MediaId"/>. <paramref name="MediaId"/> is null only when <paramref name="Outcome"/> is
/// <see cref="RemovalOutcome.NotFound"/> for an external id nobody knows.
/// </summary>
public sealed record MediaRemoved(
    Guid CorrelationId,
    string? MediaId,
    string? ExternalId,
    RemovalOutcome Outcome,
    DateTimeOffset RemovedAt,
    string? Reason = null);

/// <summary>What a removal found.</summary>
public enum RemovalOutcome
{
    /// <summary>The item was in the catalogue and is now forgotten.</summary>
    Removed = 0,

    /// <summary>The item had been removed before; nothing was left to do.</summary>
    AlreadyRemoved = 1,

    /// <summary>No item has that media id or external id (and none ever had, as far as the tombstones know).</summary>
    NotFound = 2,
}
