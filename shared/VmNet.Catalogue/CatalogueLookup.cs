using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.Catalogue;

/// <summary>Where an item stands: every half its kind needs has features, one half failed, or it is still on its way.</summary>
public enum CatalogueStatus
{
    Pending = 0,
    Ready = 1,
    Failed = 2,
}

/// <summary>Which items a listing returns; every set field must match (all labels given, by exact value).</summary>
public sealed record CatalogueFilter(
    MediaKind? Kind = null, IReadOnlyDictionary<string, string>? Labels = null, CatalogueStatus? Status = null)
{
    /// <summary>Why the filter is refused (labels outside <see cref="MediaLabels"/>' rules), or null.</summary>
    public string? Error => MediaLabels.LabelsError(Labels);
}

/// <summary>One page of a listing and the media id to continue after (null on the last page).</summary>
public sealed record CataloguePage(IReadOnlyList<CatalogueItem> Items, string? Next);

/// <summary>One half of an item: features stored, embedded into the live generation, or why its extraction failed.</summary>
public sealed record HalfState(bool HasFeatures, bool Embedded, string? ExtractorVersion, ExtractionFailure? Failure);

/// <summary>An item as look-ups show it: the catalogue row, its status, and both halves under <paramref name="Model"/>.</summary>
public sealed record CatalogueEntry(CatalogueItem Item, CatalogueStatus Status, string? Model, HalfState Music, HalfState Video)
{
    /// <summary>The item's status from its row alone: the rule <see cref="IFeatureCatalogue.ListPageAsync"/> filters by.</summary>
    public static CatalogueStatus StatusOf(CatalogueItem item)
    {
        if (item.MusicFailure is not null || item.VideoFailure is not null)
        {
            return CatalogueStatus.Failed;
        }

        var needsMusic = item.Kind != MediaKind.Video;
        var needsVideo = item.Kind != MediaKind.Music;
        return (!needsMusic || item.MusicFeatures is not null) && (!needsVideo || item.VideoFeatures is not null)
            ? CatalogueStatus.Ready
            : CatalogueStatus.Pending;
    }

    /// <summary>The entry of <paramref name="item"/>, with "embedded" read from the store's live generation.</summary>
    public static async Task<CatalogueEntry> OfAsync(CatalogueItem item, IVectorStore store, CancellationToken cancellationToken)
    {
        var live = store.LiveGeneration;
        async Task<bool> EmbeddedAsync(Modality modality) =>
            live is not null && await store.GetVectorAsync(live, modality, item.MediaId, cancellationToken) is not null;

        return new CatalogueEntry(
            item,
            StatusOf(item),
            live,
            new HalfState(item.MusicFeatures is not null, await EmbeddedAsync(Modality.Music), item.MusicExtractorVersion, item.MusicFailure),
            new HalfState(item.VideoFeatures is not null, await EmbeddedAsync(Modality.Video), item.VideoExtractorVersion, item.VideoFailure));
    }
}
