using System.Collections.Immutable;

namespace VmNet.Contracts;

/// <summary>
/// A trained model passed its gate. <paramref name="Location"/> is the model folder (branches,
/// normalisation, metrics); <paramref name="Metrics"/> holds e.g. "val.R@10" and per-direction recalls.
/// </summary>
public sealed record ModelPublished(
    string ModelVersion,
    Guid CorrelationId,
    Uri Location,
    ImmutableDictionary<string, double> Metrics,
    DateTimeOffset PublishedAt);
