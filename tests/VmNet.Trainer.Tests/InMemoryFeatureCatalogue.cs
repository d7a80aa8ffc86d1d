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
            (_, old) => old with { Kind = kind, TempoBpm = tempoBpm, MusicFeatures = features, MusicExtractorVersion = extractorVersion, UpdatedAt = DateTimeOffset.UtcNow });
        return Task.CompletedTask;
    }

    public Task UpsertVideoAsync(string mediaId, MediaKind kind, float[] features, string extractorVersion, double durationSeconds, CancellationToken cancellationToken)
    {
        _items.AddOrUpdate(
            mediaId,
            _ => new CatalogueItem(mediaId, kind, durationSeconds, null, null, null, features, extractorVersion, DateTimeOffset.UtcNow),
            (_, old) => old with { Kind = kind, VideoFeatures = features, VideoExtractorVersion = extractorVersion, UpdatedAt = DateTimeOffset.UtcNow });
        return Task.CompletedTask;
    }

    public Task<CatalogueItem?> GetAsync(string mediaId, CancellationToken cancellationToken) =>
        Task.FromResult(_items.TryGetValue(mediaId, out var item) ? item : null);

    public async IAsyncEnumerable<CatalogueItem> ListAsync(MediaKind? kind, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var item in _items.Values.Where(i => kind is null || i.Kind == kind).OrderBy(i => i.MediaId, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask;
    }

    public Task<int> CountAsync(MediaKind? kind, CancellationToken cancellationToken) =>
        Task.FromResult(_items.Values.Count(i => kind is null || i.Kind == kind));
}
