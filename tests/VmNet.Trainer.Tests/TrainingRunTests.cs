using VmNet.Onnx;
using VmNet.Catalogue;
using VmNet.Media;
using VmNet.Testing;
using VmNet.Training;

namespace VmNet.Trainer.Tests;

public sealed class TrainingRunTests
{
    private static readonly PairCorpus Corpus = PairCorpus.Build(SyntheticPairs.Create(700), 0.15, 0.15);

    [Fact]
    public void TrainedModelFindsPartnersFarBetterThanChanceAndIsDeterministic()
    {
        var options = SyntheticPairs.TinyOptions(epochs: 6);
        var first = TrainingRun.Train(Corpus, options);
        var second = TrainingRun.Train(Corpus, options);
        using var a = first.Model;
        using var b = second.Model;

        var chance = 10.0 / Corpus.Validation.Count;
        Assert.True(first.Validation.MeanRecallAt10 > 3 * chance, $"val R@10 {first.Validation.MeanRecallAt10} vs chance {chance}");
        Assert.True(first.Test!.MeanRecallAt10 > 3 * (10.0 / Corpus.Test.Count));
        Assert.True(first.History[^1].Loss < first.History[0].Loss, "loss went down");
        Assert.Equal(first.History.Select(h => h.Loss), second.History.Select(h => h.Loss));
        Assert.Equal(first.Validation.MeanRecallAt10, second.Validation.MeanRecallAt10);
        Assert.All(first.History, h => Assert.True(h.MusicStructure != 0 || h.VideoStructure != 0));
    }

    [Fact]
    public void ExportedOnnxBranchesMatchTorchSharpAndTheFolderIsComplete()
    {
        using var data = new TempFolder("trainer");
        var registry = new ModelRegistry(new DataDirectory(data.Path));
        var options = SyntheticPairs.TinyOptions(epochs: 2);
        var result = TrainingRun.Train(Corpus, options);
        using var model = result.Model;
        var manifest = ModelFolder.Save(registry, "v1", result, Corpus, options, DateTimeOffset.UtcNow);

        var folder = registry.FolderOf("v1");
        foreach (var file in new[] { ModelManifest.FileName, "music.onnx", "video.onnx", "normalisation.json", "training.json", "metrics.json", ModelFolder.PlotFile })
        {
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        }

        Assert.Equal((Corpus.MusicDim, Corpus.VideoDim, 16), (manifest.MusicInputDim, manifest.VideoInputDim, manifest.EmbeddingDim));
        Assert.Equal(result.Validation.MeanRecallAt10, manifest.Metrics["val.R@10"]);
        Assert.Equal(Corpus.Snapshot, manifest.DataSnapshot);

        using var onnx = OnnxEmbeddingModel.Load(folder);
        var set = Corpus.Test;
        ExportCheck.AssertOnnxMatches(model, onnx, set);
        Assert.Equal(result.Test!.MeanRecallAt10, onnx.Evaluate(set)!.MeanRecallAt10, 6);
    }

    [Fact]
    public void GatePublishesFirstAndWithinToleranceRejectsWorse()
    {
        Assert.True(ModelGate.Decide(0.2, null, null, 0.01).Publish);
        Assert.True(ModelGate.Decide(0.495, 0.5, "old", 0.01).Publish);
        var rejected = ModelGate.Decide(0.48, 0.5, "old", 0.01);
        Assert.False(rejected.Publish);
        Assert.Equal((0.48, 0.5), (rejected.Candidate, rejected.Live!.Value));
        Assert.Contains("old", rejected.Reason);
    }

    [Fact]
    public void PipelinePublishesAGoodModelThenRejectsAnUntrainedOne()
    {
        using var data = new TempFolder("trainer");
        var registry = new ModelRegistry(new DataDirectory(data.Path));
        var good = TrainingPipeline.Run(Corpus, registry, SyntheticPairs.TinyOptions(epochs: 4), tolerance: 0.01, null, default);
        Assert.True(good.Decision.Publish);
        Assert.Equal(good.Manifest.Version, ModelFolder.Live(registry)!.Version);

        var untrained = SyntheticPairs.TinyOptions(epochs: 1) with { LearningRate = 1e-9, Seed = 5 };
        var bad = TrainingPipeline.Run(Corpus, registry, untrained, tolerance: 0.01, null, default);
        Assert.False(bad.Decision.Publish);
        Assert.Equal(good.Manifest.Version, bad.Decision.LiveVersion);
        Assert.True(bad.Decision.Live > bad.Decision.Candidate);
        Assert.True(Directory.Exists(bad.Folder), "a rejected candidate is kept");
        Assert.Equal(good.Manifest.Version, ModelFolder.Live(registry)!.Version);
    }
}
