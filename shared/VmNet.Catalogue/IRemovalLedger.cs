namespace VmNet.Catalogue;

/// <summary>How far a removal has come: each step is written after the work it names is done.</summary>
public enum RemovalState
{
    /// <summary>The tombstone is written: every answer leaves the item out from now on; the purge is under way.</summary>
    Removing = 0,

    /// <summary>Catalogue row, vectors of every generation and media folder are gone (the embedder's part).</summary>
    Purged = 1,

    /// <summary>Search forgot its suggestions too and <c>MediaRemoved</c> was published.</summary>
    Removed = 2,
}

/// <summary>One item's tombstone: who it was, who asked, and how far the removal has come.</summary>
public sealed record Removal(
    string MediaId,
    string? ExternalId,
    Guid CorrelationId,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    RemovalState State,
    DateTimeOffset? CompletedAt = null);

/// <summary>
/// Durable tombstones of removed items, beside the catalogue (the same SQLite file or PostgreSQL database), so the
/// catalogue's writes can refuse a removed id in the same statement. A tombstone is kept for good: it is what makes a
/// late message (features in flight, a redelivery, a re-ingest of the same bytes) unable to bring the item back.
/// </summary>
public interface IRemovalLedger
{
    /// <summary>
    /// Writes <paramref name="removal"/> unless a tombstone for its media id exists; returns the stored one (a repeat
    /// keeps the first request's correlation id, time and state).
    /// </summary>
    Task<Removal> BeginRemovalAsync(Removal removal, CancellationToken cancellationToken);

    Task<Removal?> FindRemovalAsync(string mediaId, CancellationToken cancellationToken);

    /// <summary>The tombstone of the item that had <paramref name="externalId"/> when it was removed, the newest if several.</summary>
    Task<Removal?> FindRemovalByExternalIdAsync(string externalId, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="mediaIds"/> have a tombstone (any state): what every answer leaves out.</summary>
    Task<IReadOnlySet<string>> RemovedAmongAsync(IReadOnlyCollection<string> mediaIds, CancellationToken cancellationToken);

    /// <summary>Moves the removal forward to <paramref name="state"/> (never back).</summary>
    Task AdvanceRemovalAsync(string mediaId, RemovalState state, CancellationToken cancellationToken);

    /// <summary>Removals still in <paramref name="state"/>: what a restart resumes.</summary>
    Task<IReadOnlyList<Removal>> ListRemovalsAsync(RemovalState state, CancellationToken cancellationToken);
}
