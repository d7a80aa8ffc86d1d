namespace VmNet.Contracts;

/// <summary>
/// A request to ingest one media item. <paramref name="Source"/> is a YouTube id (exactly 11 of
/// [A-Za-z0-9_-]), an http(s) URL, or a local path inside an allowed media root; it is untrusted.
/// <paramref name="ExternalId"/> (the platform's own id for the item) and <paramref name="Labels"/> (free key=value
/// pairs: mood, genre, licence, …) are optional and checked against the limits in <c>MediaLabels</c>.
/// </summary>
public sealed record IngestRequested(
    Guid CorrelationId,
    string Source,
    MediaKind Kind,
    DateTimeOffset RequestedAt,
    string? ExternalId = null,
    IReadOnlyDictionary<string, string>? Labels = null);
