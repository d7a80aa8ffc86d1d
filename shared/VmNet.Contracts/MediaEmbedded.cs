namespace VmNet.Contracts;

/// <summary>One or both halves of a media item are searchable under <paramref name="ModelVersion"/>.</summary>
public sealed record MediaEmbedded(
    string MediaId,
    Guid CorrelationId,
    MediaKind Kind,
    string ModelVersion,
    bool MusicEmbedded,
    bool VideoEmbedded,
    DateTimeOffset EmbeddedAt);
