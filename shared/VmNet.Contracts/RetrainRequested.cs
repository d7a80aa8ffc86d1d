namespace VmNet.Contracts;

/// <summary>A request to train a new model on the stored features; requests during a run are coalesced.</summary>
public sealed record RetrainRequested(
    Guid CorrelationId,
    string RequestedBy,
    string? Reason,
    DateTimeOffset RequestedAt);
