namespace VmNet.Contracts;

/// <summary>A model generation could not be built or made live; the previous generation keeps serving.</summary>
public sealed record ModelActivationFailed(
    string ModelVersion,
    Guid CorrelationId,
    string? LiveVersion,
    string Reason,
    DateTimeOffset FailedAt);
