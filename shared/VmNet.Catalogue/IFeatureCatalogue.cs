using VmNet.Contracts;

namespace VmNet.Catalogue;

/// <summary>One catalogue item's raw features: the trainer's input and the embedder's source.</summary>
public sealed record CatalogueItem(
    string MediaId,
    MediaKind Kind,
    double DurationSeconds,
    double? TempoBpm,
    float[]? MusicFeatures,
    string? MusicExtractorVersion,
    float[]? VideoFeatures,
    string? VideoExtractorVersion,
    DateTimeOffset UpdatedAt);

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

    Task<CatalogueItem?> GetAsync(string mediaId, CancellationToken cancellationToken);

    /// <summary>Every item, optionally of one kind, in media-id order (stable for splits).</summary>
    IAsyncEnumerable<CatalogueItem> ListAsync(MediaKind? kind, CancellationToken cancellationToken);

    Task<int> CountAsync(MediaKind? kind, CancellationToken cancellationToken);
}
