using System.Collections.Immutable;

namespace VmNet.Contracts;

/// <summary>
/// The VM-NET music vector of one track: 1140 values (mean, variance, max over frames of the
/// 380 per-frame features). <paramref name="TempoBpm"/> is estimated from the same audio for filters.
/// </summary>
public sealed record AudioFeaturesExtracted(
    string MediaId,
    Guid CorrelationId,
    ImmutableArray<float> Vector,
    int Frames,
    string ExtractorVersion,
    double DurationSeconds,
    double? TempoBpm,
    DateTimeOffset ExtractedAt);
