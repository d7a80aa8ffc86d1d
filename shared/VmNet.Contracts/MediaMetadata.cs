using System.Collections.Immutable;

namespace VmNet.Contracts;

/// <summary>
/// Who a media item is. <paramref name="Source"/> is where it came from as a person recognises it (a YouTube id, a
/// URL, or a local file's name, never its folder); title, artist and album are the container's own tags; the
/// external id and labels are what the platform gave at ingest. Every field may be absent.
/// </summary>
public sealed record MediaMetadata(
    string? Source = null,
    string? Title = null,
    string? Artist = null,
    string? Album = null,
    string? ExternalId = null,
    ImmutableDictionary<string, string>? Labels = null);
