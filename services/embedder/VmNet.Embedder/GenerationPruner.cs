using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Storage;

namespace VmNet.Embedder;

/// <summary>
/// Applies <see cref="GenerationRetention"/> after an activation: each generation past <c>VectorStore:RetainGenerations</c>
/// is dropped from the store, then its model folder is deleted. The folder goes too because without its generation
/// it is no rollback any more: activating it would re-embed the whole catalogue, and keeping every retrain's ONNX
/// branches grows the data dir without bound, the very thing retention is for. Folders no generation names (a model
/// the gate rejected, one still on its way from the trainer) are not this class's to delete.
/// </summary>
public sealed partial class GenerationPruner(IVectorStore store, ModelRegistry registry, IOptions<VectorStoreOptions> options, ILogger<GenerationPruner> logger)
{
    public int Retain => options.Value.RetainGenerations;

    /// <summary>Drops what retention no longer keeps, never the live generation nor <paramref name="building"/>; returns the dropped ones.</summary>
    public async Task<IReadOnlyList<string>> PruneAsync(string? building, CancellationToken cancellationToken)
    {
        var generations = await store.ListGenerationsAsync(cancellationToken);
        var dropped = new List<string>();
        foreach (var generation in GenerationRetention.ToDrop(generations, Retain, [building]))
        {
            try
            {
                await store.DropGenerationAsync(generation, cancellationToken);
                var folder = registry.FolderOf(generation);
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }

                dropped.Add(generation);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                // The next activation tries again; the activation that triggered this one stands.
                LogPruneFailed(generation, e.Message);
            }
        }

        if (dropped.Count > 0)
        {
            LogPruned(string.Join(", ", dropped), Retain);
        }

        return dropped;
    }

    [LoggerMessage(4410, LogLevel.Information, "Dropped generation(s) {Generations} with their model folders (VectorStore:RetainGenerations = {Retain})")]
    private partial void LogPruned(string generations, int retain);

    [LoggerMessage(4411, LogLevel.Warning, "Generation {Generation} was not dropped ({Reason}); the next activation tries again")]
    private partial void LogPruneFailed(string generation, string reason);
}
