namespace VmNet.Contracts;

/// <summary>
/// A media item was fetched, probed and split. A claim check: the parts are referenced by URI,
/// never carried. <paramref name="MediaId"/> is the content hash of the fetched file; <paramref name="Metadata"/> is
/// who the item is (absent from publishers older than the field).
/// </summary>
public sealed record MediaIngested(
    string MediaId,
    Guid CorrelationId,
    MediaKind Kind,
    Uri? AudioUri,
    Uri? VideoUri,
    double DurationSeconds,
    string Source,
    DateTimeOffset IngestedAt,
    MediaMetadata? Metadata = null);
