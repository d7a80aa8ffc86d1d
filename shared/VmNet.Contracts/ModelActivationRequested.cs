namespace VmNet.Contracts;

/// <summary>An operator asks to make an existing model generation live (roll forward or back).</summary>
public sealed record ModelActivationRequested(
    string ModelVersion,
    Guid CorrelationId,
    string RequestedBy,
    DateTimeOffset RequestedAt);
