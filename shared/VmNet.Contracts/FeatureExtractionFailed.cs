namespace VmNet.Contracts;

/// <summary>Features of one modality could not be extracted; the worker carries on.</summary>
public sealed record FeatureExtractionFailed(
    string MediaId,
    Guid CorrelationId,
    Modality Modality,
    string Reason,
    DateTimeOffset FailedAt);
