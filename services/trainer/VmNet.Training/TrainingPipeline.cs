using VmNet.Onnx;
using VmNet.Catalogue;

namespace VmNet.Training;

/// <summary>What one pipeline run left: the model folder (always kept), its metrics, the gate's verdict.</summary>
public sealed record TrainingOutcome(
    ModelManifest Manifest,
    string Folder,
    GateDecision Decision,
    RecallReport Validation,
    RecallReport? Test,
    IReadOnlyList<EpochReport> History);

/// <summary>
/// Catalogue → split → train → model folder → gate → published marker, without the bus. The live model is scored
/// again on today's validation split (its ONNX branches through ONNX Runtime), so both figures come from the same
/// pairs; if its input sizes no longer match the data, its stored figure stands in.
/// </summary>
public static class TrainingPipeline
{
    public static async Task<TrainingOutcome> RunAsync(
        IFeatureCatalogue catalogue, ModelRegistry registry, TrainingOptions options, double tolerance,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken, bool markPublished = true)
    {
        var corpus = await PairCorpus.LoadAsync(catalogue, options.ValidationFraction, options.TestFraction, cancellationToken);
        return Run(corpus, registry, options, tolerance, progress, cancellationToken, markPublished);
    }

    /// <param name="markPublished">
    /// Whether a model the gate lets out gets its published marker here. The trainer role passes false: it records the
    /// answers it owes first and marks the folder itself (<see cref="ModelFolder.MarkPublished"/>).
    /// </param>
    public static TrainingOutcome Run(
        PairCorpus corpus, ModelRegistry registry, TrainingOptions options, double tolerance,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken, bool markPublished = true)
    {
        var result = TrainingRun.Train(corpus, options, progress, cancellationToken);
        using var model = result.Model;
        var now = DateTimeOffset.UtcNow;
        var version = ModelFolder.NewVersion(registry, now, corpus.Snapshot);
        var manifest = ModelFolder.Save(registry, version, result, corpus, options, now);
        var folder = registry.FolderOf(version);
        var live = ModelFolder.Live(registry);
        var decision = ModelGate.Decide(result.Validation.MeanRecallAt10, LiveFigure(registry, live, corpus), live?.Version, tolerance);
        if (decision.Publish && markPublished)
        {
            ModelFolder.MarkPublished(folder, DateTimeOffset.UtcNow);
        }

        return new TrainingOutcome(manifest, folder, decision, result.Validation, result.Test, result.History);
    }

    private static double? LiveFigure(ModelRegistry registry, ModelManifest? live, PairCorpus corpus)
    {
        if (live is null)
        {
            return null;
        }

        using var branches = OnnxEmbeddingModel.Load(registry.FolderOf(live.Version));
        return branches.Evaluate(corpus.Validation)?.MeanRecallAt10
            ?? live.Metrics.GetValueOrDefault("val.R@10");
    }
}
