namespace VmNet.Contracts;

/// <summary>A candidate was kept but not published: it was worse than the live model by more than the tolerance.</summary>
public sealed record ModelRejected(
    string CandidateVersion,
    Guid CorrelationId,
    double CandidateValidationRecallAt10,
    double LiveValidationRecallAt10,
    double Tolerance,
    string Reason,
    DateTimeOffset RejectedAt);
