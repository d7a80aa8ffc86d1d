namespace VmNet.Contracts;

/// <summary>An ingest request could not be honoured; <paramref name="Reason"/> is for people.</summary>
public sealed record IngestFailed(
    Guid CorrelationId,
    string Source,
    MediaKind Kind,
    string Reason,
    DateTimeOffset FailedAt,
    string? MediaId = null);
