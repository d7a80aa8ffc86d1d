using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Embedder;

/// <summary>What one item's embedding did, per generation written.</summary>
internal sealed record ItemEmbedding(string Generation, bool Music, bool Video, MediaKind Kind);

/// <summary>The outcome of building a generation: activated, or why not.</summary>
public sealed record GenerationOutcome(string Version, bool Activated, string? PreviousVersion, int ItemsEmbedded, string? Reason);

/// <summary>
/// The embedder without the bus. Items are embedded into the live generation and, during a rebuild, into the
/// generation being built; a rebuild embeds the whole catalogue in batches while the old generation serves, then
/// flips. One gate orders item writes against rebuild batches (each batch re-reads its items under the gate), so an
/// item updated mid-rebuild ends up in the new generation with its newest features, under that one model.
/// </summary>
public sealed partial class CatalogueEmbedder(
    IFeatureCatalogue catalogue,
    IVectorStore store,
    ModelRegistry registry,
    EmbeddingModelLoader loadModel,
    GenerationPruner pruner,
    IRemovalLedger removals,
    ILogger<CatalogueEmbedder> logger) : IDisposable
{
    public const int BatchSize = 256;

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _buildGate = new(1, 1);
    private readonly ConcurrentDictionary<string, IEmbeddingModel> _models = new(StringComparer.Ordinal);
    private (string Version, IEmbeddingModel Model)? _building;

    /// <summary>The generation being built right now, if any.</summary>
    public string? Building => _building?.Version;

    /// <summary>Embeds the current features of <paramref name="mediaId"/> into the live and the building generation.</summary>
    internal async Task<IReadOnlyList<ItemEmbedding>> EmbedItemAsync(string mediaId, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var item = await catalogue.GetAsync(mediaId, cancellationToken);
            if (item is null || (item.MusicFeatures is null && item.VideoFeatures is null))
            {
                return [];
            }

            var targets = new List<(string Version, IEmbeddingModel Model)>();
            if (store.LiveGeneration is { } live)
            {
                targets.Add((live, ModelFor(live)));
            }

            if (_building is { } building && building.Version != store.LiveGeneration)
            {
                targets.Add(building);
            }

            var results = new List<ItemEmbedding>();
            foreach (var (version, model) in targets)
            {
                var records = Embed(model, [item], strict: true);
                await store.UpsertAsync(version, records, cancellationToken);
                results.Add(new ItemEmbedding(version, records.Any(r => r.Modality == Modality.Music), records.Any(r => r.Modality == Modality.Video), item.Kind));
            }

            // A takedown in another process may have written its tombstone after the read above: its purge may already
            // have run, so what was just written is taken back here (the tombstone comes before the purge, so one of
            // the two always sees the other).
            if (results.Count > 0 && await TakeBackRemovedAsync([mediaId], cancellationToken) > 0)
            {
                return [];
            }

            return results;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Builds generation <paramref name="version"/> from the model in <paramref name="folder"/> (whole catalogue) and
    /// activates it. Any failure leaves the live generation as it was and is returned, not thrown.
    /// </summary>
    public async Task<GenerationOutcome> BuildAndActivateAsync(string version, string folder, CancellationToken cancellationToken)
    {
        await _buildGate.WaitAsync(cancellationToken);
        var previous = store.LiveGeneration;
        IEmbeddingModel? model = null;
        try
        {
            if (previous == version)
            {
                LogAlreadyLive(version);
                return new GenerationOutcome(version, true, previous, await catalogue.CountAsync(null, cancellationToken), null);
            }

            model = loadModel(folder);
            if (model.Manifest.Version != version)
            {
                throw new InvalidDataException($"model folder holds version '{model.Manifest.Version}', not '{version}'");
            }

            await store.CreateGenerationAsync(version, model.Manifest.EmbeddingDim, cancellationToken);
            await SetBuildingAsync((version, model), cancellationToken);

            var ids = new List<string>();
            await foreach (var item in catalogue.ListAsync(null, cancellationToken))
            {
                ids.Add(item.MediaId);
            }

            var clock = Stopwatch.StartNew();
            var embedded = 0;
            var skipped = 0;
            LogRebuildStarted(version, ids.Count, previous ?? "(none)");
            foreach (var batch in ids.Chunk(BatchSize))
            {
                await _writeGate.WaitAsync(cancellationToken);
                try
                {
                    var items = new List<CatalogueItem>(batch.Length);
                    foreach (var id in batch)
                    {
                        if (await catalogue.GetAsync(id, cancellationToken) is { } item)
                        {
                            items.Add(item);
                        }
                    }

                    var records = Embed(model, items, strict: false);
                    await store.UpsertAsync(version, records, cancellationToken);
                    await TakeBackRemovedAsync([.. items.Select(i => i.MediaId)], cancellationToken);
                    var done = records.Select(r => r.MediaId).Distinct().Count();
                    embedded += done;
                    skipped += items.Count - done;
                }
                finally
                {
                    _writeGate.Release();
                }

                LogRebuildProgress(version, embedded + skipped, ids.Count, clock.Elapsed.TotalSeconds);
            }

            if (skipped > 0)
            {
                LogSkipped(version, skipped);
            }

            // Under the write gate: no item write can slip between the flip and forgetting the build.
            await _writeGate.WaitAsync(cancellationToken);
            try
            {
                await store.ActivateAsync(version, cancellationToken);
                _models[version] = model;
                _building = null;
            }
            finally
            {
                _writeGate.Release();
            }

            LogActivated(version, previous ?? "(none)", embedded, clock.Elapsed.TotalSeconds);
            foreach (var dropped in await pruner.PruneAsync(_building?.Version, cancellationToken))
            {
                _models.TryRemove(dropped, out var old);
                old?.Dispose();
            }

            return new GenerationOutcome(version, true, previous, embedded, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await SetBuildingAsync(null, CancellationToken.None);
            if (model is not null && !_models.Values.Contains(model))
            {
                model.Dispose();
            }

            LogRebuildFailed(e, version, previous ?? "(none)");
            return new GenerationOutcome(version, false, previous, 0, e.Message);
        }
        finally
        {
            if (_building is { } left && left.Version == version)
            {
                _building = null;
            }

            _buildGate.Release();
        }
    }

    /// <summary>Re-activates an existing model version (roll back or forward): re-embeds the catalogue into it first.</summary>
    public Task<GenerationOutcome> ActivateExistingAsync(string version, CancellationToken cancellationToken)
    {
        string folder;
        try
        {
            folder = registry.FolderOf(version);
            if (registry.Find(version) is null)
            {
                return Task.FromResult(new GenerationOutcome(version, false, store.LiveGeneration, 0, $"no model '{version}' under {registry.Root}"));
            }
        }
        catch (ArgumentException e)
        {
            return Task.FromResult(new GenerationOutcome(version, false, store.LiveGeneration, 0, e.Message));
        }

        return BuildAndActivateAsync(version, folder, cancellationToken);
    }

    /// <summary>
    /// A takedown's part here: the vectors of <paramref name="mediaId"/> in every generation (live, kept, being built)
    /// and its catalogue row, under the write gate so no item write or rebuild batch interleaves. Idempotent.
    /// </summary>
    public async Task<(int Vectors, bool Row)> ForgetAsync(string mediaId, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var vectors = await store.DeleteMediaAsync([mediaId], cancellationToken);
            var row = await catalogue.DeleteAsync(mediaId, cancellationToken);
            return (vectors, row);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var model in _models.Values)
        {
            model.Dispose();
        }

        _writeGate.Dispose();
        _buildGate.Dispose();
    }

    /// <summary>Records for every half of <paramref name="items"/>; a half whose width the model does not take is skipped (or refused when strict).</summary>
    private static List<VectorRecord> Embed(IEmbeddingModel model, IReadOnlyList<CatalogueItem> items, bool strict)
    {
        var manifest = model.Manifest;
        var music = items.Where(i => i.MusicFeatures is { } f && Fits(f.Length, manifest.MusicInputDim, i.MediaId, "music", strict)).ToList();
        var video = items.Where(i => i.VideoFeatures is { } f && Fits(f.Length, manifest.VideoInputDim, i.MediaId, "video", strict)).ToList();
        var records = new List<VectorRecord>(music.Count + video.Count);
        if (music.Count > 0)
        {
            var vectors = model.EmbedMusic([.. music.Select(i => i.MusicFeatures!)]);
            records.AddRange(music.Select((i, n) => new VectorRecord(i.MediaId, Modality.Music, vectors[n], i.Kind, i.DurationSeconds, i.TempoBpm, i.Metadata?.Labels)));
        }

        if (video.Count > 0)
        {
            var vectors = model.EmbedVideo([.. video.Select(i => i.VideoFeatures!)]);
            records.AddRange(video.Select((i, n) => new VectorRecord(i.MediaId, Modality.Video, vectors[n], i.Kind, i.DurationSeconds, i.TempoBpm, i.Metadata?.Labels)));
        }

        return records;
    }

    // Deletes the vectors of those of mediaIds that have a tombstone; returns how many ids had one.
    private async Task<int> TakeBackRemovedAsync(IReadOnlyCollection<string> mediaIds, CancellationToken cancellationToken)
    {
        var removed = await removals.RemovedAmongAsync(mediaIds, cancellationToken);
        if (removed.Count > 0)
        {
            await store.DeleteMediaAsync([.. removed], cancellationToken);
            LogTakenBack(removed.Count);
        }

        return removed.Count;
    }

    private static bool Fits(int width, int expected, string mediaId, string half, bool strict) =>
        width == expected || (strict ? throw new InvalidDataException($"{mediaId}: {half} features have {width} values, the live model takes {expected}") : false);

    private IEmbeddingModel ModelFor(string version) =>
        _models.GetOrAdd(version, v => loadModel(registry.Find(v) is not null
            ? registry.FolderOf(v)
            : throw new InvalidOperationException($"live generation {v} has no model folder under {registry.Root}")));

    private async Task SetBuildingAsync((string, IEmbeddingModel)? building, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        _building = building;
        _writeGate.Release();
    }

    [LoggerMessage(4401, LogLevel.Information, "Re-embedding {Count} items into generation {Version} while {Previous} serves")]
    private partial void LogRebuildStarted(string version, int count, string previous);

    [LoggerMessage(4402, LogLevel.Information, "Generation {Version}: {Done}/{Total} items embedded ({Seconds:0.0} s)")]
    private partial void LogRebuildProgress(string version, int done, int total, double seconds);

    [LoggerMessage(4403, LogLevel.Information, "Generation {Version} is live (was {Previous}): {Items} items in {Seconds:0.0} s")]
    private partial void LogActivated(string version, string previous, int items, double seconds);

    [LoggerMessage(4404, LogLevel.Error, "Generation {Version} failed; {Previous} stays live")]
    private partial void LogRebuildFailed(Exception exception, string version, string previous);

    [LoggerMessage(4405, LogLevel.Warning, "Generation {Version}: {Count} items skipped (feature width does not match the model)")]
    private partial void LogSkipped(string version, int count);

    [LoggerMessage(4407, LogLevel.Information, "{Count} items removed while they were embedded: their vectors were deleted again")]
    private partial void LogTakenBack(int count);

    [LoggerMessage(4406, LogLevel.Information, "Generation {Version} is already live")]
    private partial void LogAlreadyLive(string version);
}
