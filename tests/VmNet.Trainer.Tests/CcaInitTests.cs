using VmNet.Catalogue;
using VmNet.Media;
using VmNet.Onnx;
using VmNet.Testing;
using VmNet.Training;

namespace VmNet.Trainer.Tests;

/// <summary>The network initialised from CCA (<see cref="InitMode.Cca"/>): epoch 0 is the baseline, the export is exact, options are checked.</summary>
public sealed class CcaInitTests
{
    private static readonly PairCorpus Corpus = PairCorpus.Build(SyntheticPairs.Create(300, noise: 0.8), 0.15, 0.15);

    // 10 PCA dimensions per side, 6 canonical components start in the embedding, 4 more are inputs starting at zero.
    private static TrainingOptions FromCca(int epochs, int[] hidden) => SyntheticPairs.TinyOptions(epochs: epochs) with
    {
        Init = InitMode.Cca, CcaPcaDims = 10, CcaComponents = 6, MusicHidden = hidden, VideoHidden = hidden, LearningRate = 1e-3, Patience = Math.Max(epochs, 1),
    };

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 8, 5 })]
    public void WithZeroEpochsTheNetworkRanksExactlyAsTheCcaBaseline(int[] hidden)
    {
        var result = TrainingRun.Train(Corpus, FromCca(epochs: 0, hidden));
        using var model = result.Model;
        var cca = CcaBaseline.Fit(Corpus.Train, new CcaOptions { PcaDims = 10, Components = 6, Regularisation = 0.1 });
        var set = Corpus.Test;

        var (music, video) = (model.EmbedMusic(set.Music), model.EmbedVideo(set.Video));
        var (ccaMusic, ccaVideo) = (cca.ProjectMusic(set.Music), cca.ProjectVideo(set.Video));
        Assert.Equal(RecallAtK.Ranks(ccaVideo, ccaMusic, cca.Dim), RecallAtK.Ranks(video, music, model.EmbeddingDim));
        Assert.Equal(RecallAtK.Ranks(ccaMusic, ccaVideo, cca.Dim), RecallAtK.Ranks(music, video, model.EmbeddingDim));
        Assert.Equal(0, result.BestEpoch);
        Assert.Equal([0], result.History.Select(e => e.Epoch));
    }

    [Fact]
    public void TrainingFromCcaKeepsEpochZeroUnlessValidationImprovesAndNeverEndsBelowIt()
    {
        var result = TrainingRun.Train(Corpus, FromCca(epochs: 15, [8]));
        using var model = result.Model;
        var start = result.History[0];
        Assert.Equal(0, start.Epoch);
        Assert.True(start.Improved);
        var best = result.History.Single(e => e.Epoch == result.BestEpoch);
        Assert.False(start.BetterThan(best), "the kept epoch is at least as good on validation as the CCA start");
        Assert.Equal(best.ValidationRecallAt10, result.Validation.MeanRecallAt10, 9);
    }

    [Fact]
    public void ResidualBranchExportIsExact()
    {
        using var data = new TempFolder("trainer");
        var registry = new ModelRegistry(new DataDirectory(data.Path));
        // Enough epochs at a high rate that the residual MLP's output layer has moved away from zero.
        var options = FromCca(epochs: 6, [8, 5]) with { LearningRate = 1e-2, Patience = 1000 };
        var result = TrainingRun.Train(Corpus, options);
        using var model = result.Model;
        Assert.True(model.Network.Music.Residual);

        ModelFolder.Save(registry, "cca", result, Corpus, options, DateTimeOffset.UtcNow);
        using var onnx = OnnxEmbeddingModel.Load(registry.FolderOf("cca"));
        var set = Corpus.Test;
        ExportCheck.AssertOnnxMatches(model, onnx, set);
    }

    [Fact]
    public void ResidualBranchGraphReproducesTheBranchWithEveryWeightNonZero()
    {
        TorchSharp.torch.random.manual_seed(5);
        using var branch = new EmbeddingBranch("b", inputDim: 7, hidden: [6, 4], embeddingDim: 9, dropout: 0.5, identityComponents: 3);
        using (TorchSharp.torch.no_grad())
        {
            foreach (var parameter in branch.parameters())
            {
                parameter.add_(TorchSharp.torch.randn_like(parameter));
            }
        }

        branch.eval();
        var input = Enumerable.Range(0, 5 * 7).Select(i => (float)Math.Sin(i * 1.7)).ToArray();
        using var output = branch.forward(TorchSharp.torch.tensor(input, [5, 7]));
        var expected = output.data<float>().ToArray();
        var graph = branch.ToGraph(new FeatureNormalizer(new float[7], [.. Enumerable.Repeat(1f, 7)]));
        graph.Validate();
        Assert.Null(graph.BatchNormScale);
        var actual = Enumerable.Range(0, 5).SelectMany(r => graph.Evaluate(input.AsSpan(r * 7, 7))).ToArray();
        Assert.True(ExportCheck.MaxAbsDiff(expected, actual) <= 1e-5, $"max diff {ExportCheck.MaxAbsDiff(expected, actual)}");
    }

    [Fact]
    public void OptionsAreValidated()
    {
        var ok = FromCca(epochs: 0, []);
        ok.Validate();
        Assert.Throws<ArgumentException>(() => (ok with { Init = InitMode.Random }).Validate());
        Assert.Throws<ArgumentException>(() => (ok with { MusicPcaDims = 8 }).Validate());
        Assert.Throws<ArgumentException>(() => (ok with { EmbeddingDim = 4 }).Validate());
        Assert.Throws<ArgumentException>(() => (ok with { CcaComponents = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (ok with { CcaComponents = 12 }).Validate());
        Assert.Throws<ArgumentException>(() => (ok with { CcaRegularisation = -1 }).Validate());
        Assert.Throws<ArgumentException>(() => (ok with { TopQ = 1 }).Validate());
        (ok with { TopQ = 1, LossMode = LossMode.InterOnly }).Validate();
    }
}
