using System.Collections.Immutable;

namespace VmNet.Contracts;

/// <summary>
/// The pooled video vector of one video. <paramref name="PcaVersion"/> is null and
/// <paramref name="Whitened"/> false until WPCA/PCA have been fitted: the vector is then the pooled,
/// unwhitened CNN statistics.
/// </summary>
public sealed record VideoFeaturesExtracted(
    string MediaId,
    Guid CorrelationId,
    ImmutableArray<float> Vector,
    int Frames,
    string ExtractorVersion,
    string? PcaVersion,
    bool Whitened,
    double DurationSeconds,
    DateTimeOffset ExtractedAt);
