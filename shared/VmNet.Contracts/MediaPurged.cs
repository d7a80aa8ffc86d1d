namespace VmNet.Contracts;

/// <summary>
/// The embedder has forgotten <paramref name="MediaId"/>: its catalogue row, its vectors in every generation and its
/// folder of media parts and caches are gone, and its tombstone keeps it out of every answer. Search forgets its
/// suggestions next and answers <see cref="MediaRemoved"/>.
/// </summary>
public sealed record MediaPurged(
    string MediaId,
    Guid CorrelationId,
    string? ExternalId,
    DateTimeOffset PurgedAt);
