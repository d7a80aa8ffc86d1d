namespace VmNet.Contracts;

/// <summary>
/// A request to train a new model on the stored features. Requests during a run are coalesced into one more run; each
/// is answered under its own <paramref name="CorrelationId"/>.
/// </summary>
public sealed record RetrainRequested(
    Guid CorrelationId,
    string RequestedBy,
    string? Reason,
    DateTimeOffset RequestedAt);
