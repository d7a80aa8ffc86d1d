namespace VmNet.Contracts;

/// <summary>
/// A request to ingest one media item. <paramref name="Source"/> is a YouTube id (exactly 11 of
/// [A-Za-z0-9_-]), an http(s) URL, or a local path inside an allowed media root; it is untrusted.
/// </summary>
public sealed record IngestRequested(
    Guid CorrelationId,
    string Source,
    MediaKind Kind,
    DateTimeOffset RequestedAt);
