using Microsoft.Extensions.DependencyInjection;
using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Hosting;

/// <summary>
/// When an ingested item is done in this process: each part's features, or its extraction failure, are stored in the
/// catalogue, and, when a model is live, the item is embedded. Seeing an event is not enough — the embedder consumes
/// the same event on its own queue — so storage is confirmed in the durable catalogue itself.
/// </summary>
public static class PipelineCompletion
{
    public static async Task<string?> WaitProcessedAsync(
        this IServiceProvider services, MediaIngested item, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var events = services.GetRequiredService<PipelineEvents>();
        var catalogue = services.GetService<IFeatureCatalogue>();
        var store = services.GetService<IVectorStore>();
        var deadline = DateTime.UtcNow + timeout;
        var failures = new List<string>();
        var failed = new List<Modality>();

        foreach (var modality in Parts(item))
        {
            var seen = await events.WaitAsync(
                m => m switch
                {
                    AudioFeaturesExtracted a => modality == Modality.Music && a.MediaId == item.MediaId,
                    VideoFeaturesExtracted v => modality == Modality.Video && v.MediaId == item.MediaId,
                    FeatureExtractionFailed f => f.Modality == modality && f.MediaId == item.MediaId,
                    _ => false,
                },
                PipelineEvents.Remaining(deadline),
                cancellationToken);
            if (seen is FeatureExtractionFailed failure)
            {
                failed.Add(modality);
                failures.Add($"{modality.ToString().ToLowerInvariant()}: {failure.Reason}");
            }
        }

        if (catalogue is not null)
        {
            await PollAsync(async () => Stored(await catalogue.GetAsync(item.MediaId, cancellationToken), item, failed), deadline, cancellationToken);
        }

        if (store?.LiveGeneration is { } live && failures.Count == 0)
        {
            await events.WaitEmbeddedAsync(item.MediaId, live, item.AudioUri is not null, item.VideoUri is not null, PipelineEvents.Remaining(deadline), cancellationToken);
        }

        return failures.Count == 0 ? null : string.Join("; ", failures);
    }

    private static IEnumerable<Modality> Parts(MediaIngested item)
    {
        if (item.AudioUri is not null)
        {
            yield return Modality.Music;
        }

        if (item.VideoUri is not null)
        {
            yield return Modality.Video;
        }
    }

    // A failed part is stored once its failure is (or features of a later attempt, which clear it).
    private static bool Stored(CatalogueItem? stored, MediaIngested item, List<Modality> failed) =>
        stored is not null
        && (item.AudioUri is null || stored.MusicFeatures is not null || (failed.Contains(Modality.Music) && stored.MusicFailure is not null))
        && (item.VideoUri is null || stored.VideoFeatures is not null || (failed.Contains(Modality.Video) && stored.VideoFailure is not null));

    private static async Task PollAsync(Func<Task<bool>> done, DateTime deadline, CancellationToken cancellationToken)
    {
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("features were extracted (or failed) but not stored in the catalogue in time");
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
