using VmNet.Contracts;

namespace VmNet.Contracts.Tests;

/// <summary>
/// The messages a platform outside VmNet may publish or receive: the bus's public API, v1. The other contracts
/// (features, ModelPublished) are internal plumbing and may change freely.
/// </summary>
internal static class PublicContracts
{
    /// <summary>What a platform publishes and a VmNet role consumes.</summary>
    public static readonly Type[] Requests = [typeof(IngestRequested), typeof(RetrainRequested), typeof(ModelActivationRequested), typeof(MediaRemovalRequested)];

    /// <summary>What VmNet publishes and a platform may bind a queue to.</summary>
    public static readonly Type[] Answers =
    [
        typeof(MediaIngested), typeof(IngestFailed), typeof(MediaEmbedded), typeof(SoundtrackSuggested),
        typeof(ModelActivated), typeof(ModelRejected), typeof(ModelActivationFailed), typeof(MediaRemoved),
    ];

    public static IEnumerable<Type> All => Requests.Concat(Answers);
}
