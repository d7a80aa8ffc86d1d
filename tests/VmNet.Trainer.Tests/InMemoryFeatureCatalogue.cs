using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Trainer.Tests;

/// <summary>A real, in-process <see cref="IFeatureCatalogue"/> for tests (the product's is SQLite, in the embedder).</summary>
public sealed class InMemoryFeatureCatalogue : IFeatureCatalogue
{
    private readonly ConcurrentDictionary<string, CatalogueItem> _items = new(StringComparer.Ordinal);

    public Task UpsertMusicAsync(string mediaId, MediaKind kind, float[] features, string extractorVersion, double durationSeconds, double? tempoBpm, CancellationToken cancellationToken)
    {
        _items.AddOrUpdate(
            mediaId,
            _ => new CatalogueItem(mediaId, kind, durationSeconds, tempoBpm, features, extractorVersion, null, null, DateTimeOffset.UtcNow),
            (_, old) => old with { Kind = kind, TempoBpm = tempoBpm, MusicFeatures = features, MusicExtractorVersion = extractorVersion, MusicFailure = null, UpdatedAt = DateTimeOffset.UtcNow });
        return Task.CompletedTask;
    }

    public Task UpsertVideoAsync(string mediaId, MediaKind kind, float[] features, string extractorVersion, double durationSeconds, CancellationToken cancellationToken)
    {
        _items.AddOrUpdate(
            mediaId,
            _ => new CatalogueItem(mediaId, kind, durationSeconds, null, null, null, features, extractorVersion, DateTimeOffset.UtcNow),
            (_, old) => old with { Kind = kind, VideoFeatures = features, VideoExtractorVersion = extractorVersion, VideoFailure = null, UpdatedAt = DateTimeOffset.UtcNow });
        return Task.CompletedTask;
    }

    public Task RecordFailureAsync(string mediaId, Modality modality, string reason, DateTimeOffset failedAt, CancellationToken cancellationToken)
    {
        var failure = new ExtractionFailure(reason, failedAt);
        var first = new CatalogueItem(mediaId, modality == Modality.Music ? MediaKind.Music : MediaKind.Video, 0, null, null, null, null, null, DateTimeOffset.UtcNow);
        _items.AddOrUpdate(mediaId, _ => WithFailure(first, modality, failure), (_, old) => WithFailure(old, modality, failure));
        return Task.CompletedTask;
    }

    public Task<CatalogueItem?> GetAsync(string mediaId, CancellationToken cancellationToken) =>
        Task.FromResult(_items.TryGetValue(mediaId, out var item) ? item : null);

    public async IAsyncEnumerable<CatalogueItem> ListAsync(MediaKind? kind, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var item in _items.Values.Where(i => HasFeatures(i) && (kind is null || i.Kind == kind)).OrderBy(i => i.MediaId, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask;
    }

    public Task<int> CountAsync(MediaKind? kind, CancellationToken cancellationToken) =>
        Task.FromResult(_items.Values.Count(i => HasFeatures(i) && (kind is null || i.Kind == kind)));

    private static CatalogueItem WithFailure(CatalogueItem item, Modality modality, ExtractionFailure failure)
    {
        if ((modality == Modality.Music ? item.MusicFailure : item.VideoFailure) == failure)
        {
            return item;
        }

        return modality == Modality.Music
            ? item with { MusicFailure = failure, UpdatedAt = DateTimeOffset.UtcNow }
            : item with { VideoFailure = failure, UpdatedAt = DateTimeOffset.UtcNow };
    }

    // As in SQLite: an item with only a failure recorded is not a catalogue item yet.
    private static bool HasFeatures(CatalogueItem item) => item.MusicFeatures is not null || item.VideoFeatures is not null;
}
