using VmNet.Catalogue;
using VmNet.Media;
using VmNet.Onnx;
using VmNet.Testing;
using VmNet.Training;

namespace VmNet.Trainer.Tests;

/// <summary>The PCA input of small-catalogue training: its maths, its export, and early stopping on the median rank.</summary>
public sealed class InputProjectionTests
{
    private static readonly PairCorpus Corpus = PairCorpus.Build(SyntheticPairs.Create(300), 0.15, 0.15);

    [Fact]
    public void WhitenedComponentsAreUncorrelatedWithUnitVarianceAndCappedAtTheRank()
    {
        // 12 rows in 40 dimensions: fewer rows than dimensions, so the SVD path and the n − 1 cap.
        var random = new Random(3);
        const int n = 12, p = 40;
        var rows = new float[n * p];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = (float)random.NextDouble();
        }

        var standard = FeatureNormalizer.Fit(rows, p).Apply(rows);
        var projection = InputProjection.Fit(standard, p, dims: 32, whiten: true);
        Assert.Equal(n - 1, projection.OutputDim);

        var scores = projection.Apply(standard);
        var d = projection.OutputDim;
        for (var a = 0; a < d; a++)
        {
            for (var b = a; b < d; b++)
            {
                var covariance = Enumerable.Range(0, n).Sum(r => (double)scores[(r * d) + a] * scores[(r * d) + b]) / (n - 1);
                Assert.Equal(a == b ? 1.0 : 0.0, covariance, 3);
            }
        }
    }

    [Fact]
    public void UnwhitenedComponentVariancesAreDescendingAndMatchTheScores()
    {
        var standard = FeatureNormalizer.Fit(Corpus.Train.Video, Corpus.VideoDim).Apply(Corpus.Train.Video);
        var projection = InputProjection.Fit(standard, Corpus.VideoDim, dims: 5, whiten: false);
        var n = Corpus.Train.Count;
        var scores = projection.Apply(standard);
        for (var c = 0; c < 5; c++)
        {
            var variance = Enumerable.Range(0, n).Sum(r => Math.Pow(scores[(r * 5) + c], 2)) / (n - 1);
            Assert.Equal(projection.Variances[c], variance, 2);
            Assert.True(c == 0 || projection.Variances[c] <= projection.Variances[c - 1]);
        }
    }

    [Fact]
    public void ModelWithPcaInputTrainsAndItsOnnxExportMatchesTorchSharp()
    {
        using var data = new TempFolder("trainer");
        var registry = new ModelRegistry(new DataDirectory(data.Path));
        var options = SyntheticPairs.TinyOptions(epochs: 12) with
        {
            MusicPcaDims = 8, VideoPcaDims = 6, PcaWhiten = true, MusicHidden = [], LearningRateDecay = 0.97, WeightDecay = 1e-4,
            EarlyStopping = EarlyStopMetric.MedianRank,
        };
        var result = TrainingRun.Train(Corpus, options);
        using var model = result.Model;
        Assert.Equal((8, 6), (model.Network.Music.InputDim, model.Network.Video.InputDim));
        Assert.True(result.Validation.MeanRecallAt10 > 3 * 10.0 / Corpus.Validation.Count, $"val R@10 {result.Validation.MeanRecallAt10}");

        var manifest = ModelFolder.Save(registry, "pca", result, Corpus, options, DateTimeOffset.UtcNow);
        Assert.Equal((Corpus.MusicDim, Corpus.VideoDim), (manifest.MusicInputDim, manifest.VideoInputDim));
        using var onnx = OnnxEmbeddingModel.Load(registry.FolderOf("pca"));
        var set = Corpus.Test;
        ExportCheck.AssertOnnxMatches(model, onnx, set);
    }

    [Fact]
    public void MedianRankStoppingPrefersTheLowerRankWhateverR10Says()
    {
        static EpochReport Epoch(double r10, double r1, double median) =>
            new(1, 1, 0, 0, 0, 0, 0, r10, false, 0, 0, 0, 0, 0, r1, median);

        var sharpButNarrow = Epoch(r10: 0.9, r1: 0.5, median: 3);
        var broad = Epoch(r10: 1.0, r1: 0.2, median: 4);
        Assert.True(broad.BetterThan(sharpButNarrow, EarlyStopMetric.RecallAt10));
        Assert.True(sharpButNarrow.BetterThan(broad, EarlyStopMetric.MedianRank));
        Assert.False(broad.BetterThan(sharpButNarrow, EarlyStopMetric.MedianRank));
        // Equal median ranks: R@1 decides.
        Assert.True(Epoch(0.5, 0.3, 3).BetterThan(Epoch(0.9, 0.2, 3), EarlyStopMetric.MedianRank));
    }
}
