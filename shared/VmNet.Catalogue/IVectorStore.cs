using VmNet.Contracts;

namespace VmNet.Catalogue;

/// <summary>
/// Content filters for a query; null bounds are open. <paramref name="Labels"/>: every pair must be among the item's
/// labels (AND, exact values); the stores apply it inside their search, from the labels each vector carries.
/// </summary>
public sealed record SearchFilter(
    double? MinDurationSeconds = null,
    double? MaxDurationSeconds = null,
    double? MinTempoBpm = null,
    double? MaxTempoBpm = null,
    MediaKind? Kind = null,
    IReadOnlyDictionary<string, string>? Labels = null);

public sealed record VectorHit(string MediaId, float Score);

/// <summary>An answer from exactly one generation (model version).</summary>
public sealed record VectorSearchResult(string Generation, IReadOnlyList<VectorHit> Hits);

/// <summary>One embedded half of an item, with the payload filters use (the labels given at ingest among them).</summary>
public sealed record VectorRecord(
    string MediaId,
    Modality Modality,
    float[] Vector,
    MediaKind Kind,
    double DurationSeconds,
    double? TempoBpm,
    IReadOnlyDictionary<string, string>? Labels = null);

public sealed record GenerationInfo(string Generation, int Dimension, long MusicCount, long VideoCount, bool IsLive, DateTimeOffset CreatedAt);

/// <summary>
/// Embeddings per model generation. Writes go to any generation; queries go to the live one, taken once per
/// query so an answer never mixes generations. Implemented by the embedded index and by Qdrant.
/// </summary>
public interface IVectorStore
{
    /// <summary>The generation queries use now, or null before any model is live.</summary>
    string? LiveGeneration { get; }

    /// <summary>
    /// The live generation as the backing store has it now, past any cache <see cref="LiveGeneration"/> keeps; later
    /// reads of <see cref="LiveGeneration"/> agree with it. For a caller just told that another process flipped it.
    /// </summary>
    Task<string?> ReadLiveGenerationAsync(CancellationToken cancellationToken);

    Task CreateGenerationAsync(string generation, int dimension, CancellationToken cancellationToken);

    Task UpsertAsync(string generation, IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="generation"/> live atomically.</summary>
    Task ActivateAsync(string generation, CancellationToken cancellationToken);

    Task<IReadOnlyList<GenerationInfo>> ListGenerationsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes both halves of each of <paramref name="mediaIds"/> from every generation, the live one and any being
    /// built (a takedown); ids a generation lacks are skipped. Returns how many vectors were deleted.
    /// </summary>
    Task<int> DeleteMediaAsync(IReadOnlyCollection<string> mediaIds, CancellationToken cancellationToken);

    Task<float[]?> GetVectorAsync(string generation, Modality modality, string mediaId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes <paramref name="generation"/> and every vector in it, from memory and from the backing store (see
    /// <see cref="GenerationRetention"/>). Refuses the live generation (<see cref="InvalidOperationException"/>);
    /// dropping one that does not exist changes nothing.
    /// </summary>
    Task DropGenerationAsync(string generation, CancellationToken cancellationToken);

    /// <summary>Top <paramref name="k"/> items of <paramref name="target"/> modality by cosine similarity, in the live generation.</summary>
    Task<VectorSearchResult> SearchAsync(Modality target, float[] query, int k, SearchFilter? filter, CancellationToken cancellationToken);

    /// <summary>Like <see cref="SearchAsync"/> but exact (brute force over the live generation): the ground truth for ANN recall.</summary>
    Task<VectorSearchResult> SearchExactAsync(Modality target, float[] query, int k, SearchFilter? filter, CancellationToken cancellationToken);
}
