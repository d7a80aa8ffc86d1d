using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using VmNet.Catalogue;

namespace VmNet.Search;

/// <summary>
/// Loaded models per generation, each loaded once however many queries ask at the same time. Models that
/// are neither live nor the previous one are disposed after a grace period, so queries still using them finish.
/// </summary>
internal sealed partial class ModelCache(ModelRegistry registry, EmbeddingModelLoader load, ILogger<ModelCache> logger) : IDisposable
{
    private static readonly TimeSpan DisposeGrace = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, Lazy<IEmbeddingModel>> _models = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Loaded => [.. _models.Where(m => m.Value.IsValueCreated).Select(m => m.Key)];

    public IEmbeddingModel Get(string version)
    {
        var lazy = _models.GetOrAdd(version, v => new Lazy<IEmbeddingModel>(() => Load(v), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Let a later query retry: the folder may still be arriving.
            _models.TryRemove(KeyValuePair.Create(version, lazy));
            throw;
        }
    }

    /// <summary>Keeps <paramref name="versions"/> and disposes every other loaded model after the grace period.</summary>
    public void RetainOnly(IReadOnlyCollection<string> versions)
    {
        foreach (var (version, lazy) in _models)
        {
            if (!versions.Contains(version) && _models.TryRemove(KeyValuePair.Create(version, lazy)) && lazy.IsValueCreated)
            {
                LogEvicted(version);
                _ = Task.Delay(DisposeGrace).ContinueWith(_ => lazy.Value.Dispose(), TaskScheduler.Default);
            }
        }
    }

    public void Dispose()
    {
        foreach (var lazy in _models.Values.Where(l => l.IsValueCreated))
        {
            lazy.Value.Dispose();
        }

        _models.Clear();
    }

    private IEmbeddingModel Load(string version)
    {
        string folder;
        try
        {
            folder = registry.FolderOf(version);
        }
        catch (ArgumentException e)
        {
            throw new SearchFailedException(SearchFailure.FailedPrecondition, e.Message);
        }

        if (registry.Find(version) is null)
        {
            throw new SearchFailedException(SearchFailure.FailedPrecondition, $"the live generation '{version}' has no model folder with {ModelManifest.FileName} under {registry.Root}");
        }

        var model = load(folder);
        LogLoaded(version, model.Manifest.MusicInputDim, model.Manifest.VideoInputDim, model.Manifest.EmbeddingDim);
        return model;
    }

    [LoggerMessage(5001, LogLevel.Information, "Loaded model {Version} (music {MusicDim}, video {VideoDim} → {EmbeddingDim})")]
    private partial void LogLoaded(string version, int musicDim, int videoDim, int embeddingDim);

    [LoggerMessage(5002, LogLevel.Information, "Unloading model {Version}: no longer live")]
    private partial void LogEvicted(string version);
}
