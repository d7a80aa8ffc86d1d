using VmNet.Contracts;

namespace VmNet.Catalogue;

/// <summary>
/// One catalogue item's raw features: the trainer's input and the embedder's source. A half whose extraction failed
/// carries the failure until features for that half arrive; features stored earlier stay and are still used.
/// </summary>
public sealed record CatalogueItem(
    string MediaId,
    MediaKind Kind,
    double DurationSeconds,
    double? TempoBpm,
    float[]? MusicFeatures,
    string? MusicExtractorVersion,
    float[]? VideoFeatures,
    string? VideoExtractorVersion,
    DateTimeOffset UpdatedAt,
    ExtractionFailure? MusicFailure = null,
    ExtractionFailure? VideoFailure = null,
    MediaMetadata? Metadata = null);

/// <summary>Why the last extraction of one half failed (the worker's reason) and when.</summary>
public sealed record ExtractionFailure(string Reason, DateTimeOffset FailedAt);

/// <summary>Durable raw features per media id (SQLite on the embedded default). Upserts are idempotent.</summary>
public interface IFeatureCatalogue
{
    Task UpsertMusicAsync(string mediaId, MediaKind kind, float[] features, string extractorVersion, double durationSeconds, double? tempoBpm, CancellationToken cancellationToken);

    Task UpsertVideoAsync(string mediaId, MediaKind kind, float[] features, string extractorVersion, double durationSeconds, CancellationToken cancellationToken);

    /// <summary>
    /// The kind ingest decided (from <c>MediaIngested</c>); it wins over the kind inferred from the halves present.
    /// A catalogue that cannot record it (test doubles) keeps inferring.
    /// </summary>
    Task RecordKindAsync(string mediaId, MediaKind kind, double durationSeconds, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The extraction of one half of <paramref name="mediaId"/> failed (from <c>FeatureExtractionFailed</c>); the next
    /// upsert of that half clears it. Recording the same failure again changes nothing.
    /// </summary>
    Task RecordFailureAsync(string mediaId, Modality modality, string reason, DateTimeOffset failedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Who the item is (from <c>MediaIngested</c>): the fields given replace the stored ones, absent fields keep them,
    /// labels given replace the whole set. An external id names one item: given to another item, it moves there.
    /// A catalogue that cannot store metadata (test doubles) ignores it.
    /// </summary>
    Task RecordMetadataAsync(string mediaId, MediaMetadata metadata, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The item the platform knows as <paramref name="externalId"/>, or null.</summary>
    Task<CatalogueItem?> FindByExternalIdAsync(string externalId, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} does not keep external ids");

    /// <summary>
    /// Up to <paramref name="limit"/> items matching <paramref name="filter"/> in media-id order, starting after
    /// <paramref name="after"/> (keyset paging: a page is stable while items are added). Items with only their kind
    /// or metadata recorded are listed too (status pending or failed). Labels must pass <see cref="CatalogueFilter.Error"/>.
    /// </summary>
    Task<CataloguePage> ListPageAsync(CatalogueFilter filter, string? after, int limit, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} does not list pages");

    /// <summary>
    /// Forgets <paramref name="mediaId"/>'s row: features, metadata, failures (a takedown, after its tombstone is
    /// written). True when there was a row. Deleting again is a no-op.
    /// </summary>
    Task<bool> DeleteAsync(string mediaId, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} does not delete items");

    /// <summary>An item by id, also one that has no features yet (only its kind or a failure recorded).</summary>
    Task<CatalogueItem?> GetAsync(string mediaId, CancellationToken cancellationToken);

    /// <summary>Every item, optionally of one kind, in media-id order (stable for splits).</summary>
    IAsyncEnumerable<CatalogueItem> ListAsync(MediaKind? kind, CancellationToken cancellationToken);

    Task<int> CountAsync(MediaKind? kind, CancellationToken cancellationToken);
}
