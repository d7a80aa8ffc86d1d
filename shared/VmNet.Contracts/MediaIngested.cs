using System.Collections.Immutable;

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

/// <summary>
/// Who a media item is. <paramref name="Source"/> is where it came from as a person recognises it (a YouTube id, a
/// URL, or a local file's name, never its folder); title, artist and album are the container's own tags; the
/// external id and labels are what the platform gave at ingest. Every field may be absent. Labels are a read-only
/// dictionary, not an ImmutableDictionary: MassTransit's serializer reads the latter back as null (MassTransit#5008).
/// </summary>
public sealed record MediaMetadata(
    string? Source = null,
    string? Title = null,
    string? Artist = null,
    string? Album = null,
    string? ExternalId = null,
    IReadOnlyDictionary<string, string>? Labels = null)
{
    /// <summary>Equal when every field is, labels compared by content (a record compares dictionaries by reference).</summary>
    public bool Equals(MediaMetadata? other) =>
        other is not null && Source == other.Source && Title == other.Title && Artist == other.Artist && Album == other.Album
        && ExternalId == other.ExternalId
        && (Labels?.Count ?? 0) == (other.Labels?.Count ?? 0)
        && (Labels ?? ImmutableDictionary<string, string>.Empty).All(l => other.Labels!.TryGetValue(l.Key, out var v) && v == l.Value);

    public override int GetHashCode() => HashCode.Combine(Source, Title, Artist, Album, ExternalId, Labels?.Count ?? 0);
}
