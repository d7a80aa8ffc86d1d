namespace VmNet.Contracts;

/// <summary>The catalogue is fully embedded under <paramref name="ModelVersion"/> and search now answers with it.</summary>
public sealed record ModelActivated(
    string ModelVersion,
    Guid CorrelationId,
    string? PreviousVersion,
    int ItemsEmbedded,
    DateTimeOffset ActivatedAt);
