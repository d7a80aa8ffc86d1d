using TorchSharp;
using VmNet.Training;
using static TorchSharp.torch;

namespace VmNet.Trainer.Tests;

public sealed class VmNetLossTests
{
    private static Tensor Rows(double[,] values) => tensor(values, dtype: ScalarType.Float64);

    [Fact]
    public void RankingLossOfTwoPairsIsTheMeanHinge()
    {
        // S = A·Bᵀ = [[0.6, 1], [0.8, 0]]: hinges 0.1 − 0.6 + 1 = 0.5 and 0.1 − 0 + 0.8 = 0.9.
        using var a = Rows(new double[,] { { 1, 0 }, { 0, 1 } });
        using var b = Rows(new double[,] { { 0.6, 0.8 }, { 1, 0 } });
        using var loss = VmNetLoss.Ranking(a, b, topQ: 1, margin: 0.1);
        Assert.Equal(0.7, loss.ToDouble(), 10);
    }

    [Fact]
    public void RankingLossTakesTheTopQViolatorsAndAveragesOverThem()
    {
        // S = [[1, .8, 0], [0, .6, .6], [0, 0, .8]]; only anchor 1 violates: its negative ties the positive, hinge = ε.
        using var a = Rows(new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } });
        using var b = Rows(new double[,] { { 1, 0, 0 }, { 0.8, 0.6, 0 }, { 0, 0.6, 0.8 } });
        using var top1 = VmNetLoss.Ranking(a, b, topQ: 1, margin: 0.1);
        using var top2 = VmNetLoss.Ranking(a, b, topQ: 2, margin: 0.1);
        using var topMany = VmNetLoss.Ranking(a, b, topQ: 50, margin: 0.1);
        Assert.Equal(0.1 / 3, top1.ToDouble(), 10);
        Assert.Equal(0.1 / 6, top2.ToDouble(), 10);
        Assert.Equal(top2.ToDouble(), topMany.ToDouble(), 12);
    }

    [Fact]
    public void StructureLossCountsDisagreeingOrdersAndTies()
    {
        // Hand-computed: anchors 0..2, column pairs (0,1) and (1,2); raw rows 0 and 1 coincide, so d_raw ties
        // (sign 0) where the embedding separates them. Terms 1, 1.2, 1, 0, 0.2, 0 → mean 3.4 / 6.
        using var raw = Rows(new double[,] { { 1, 0 }, { 1, 0 }, { 0, 1 } });
        using var embedded = Rows(new double[,] { { 1, 0 }, { 0, 1 }, { 0.6, 0.8 } });
        using var all = VmNetLoss.Structure(raw, embedded, topQ: 3);
        using var twoAnchors = VmNetLoss.Structure(raw, embedded, topQ: 2);
        Assert.Equal(3.4 / 6, all.ToDouble(), 10);
        Assert.Equal(1.0, twoAnchors.ToDouble(), 10);
    }

    [Fact]
    public void StructureLossIsZeroWhenTheEmbeddingKeepsEveryOrder()
    {
        using var raw = Rows(new double[,] { { 1, 0 }, { 0.8, 0.6 }, { 0, 1 } });
        using var embedded = Rows(new double[,] { { 1, 0 }, { 0.6, 0.8 }, { -0.6, 0.8 } });
        using var loss = VmNetLoss.Structure(raw, embedded, topQ: 3);
        Assert.Equal(0.0, loss.ToDouble(), 12);
    }

    [Fact]
    public void InterOnlyLeavesTheStructureTermsOut()
    {
        using var raw = Rows(new double[,] { { 1, 0 }, { 1, 0 }, { 0, 1 } });
        using var embedded = Rows(new double[,] { { 1, 0 }, { 0, 1 }, { 0.6, 0.8 } });
        var combined = VmNetLoss.Combined(raw, raw, embedded, embedded, new TrainingOptions { TopQ = 3 });
        var interOnly = VmNetLoss.Combined(raw, raw, embedded, embedded, new TrainingOptions { TopQ = 3, LossMode = LossMode.InterOnly });
        Assert.Equal(3.4 / 6, combined.MusicStructure, 10);
        Assert.Equal(0, interOnly.MusicStructure);
        var expectedDifference = (0.2 + 0.2) * (3.4 / 6);
        Assert.Equal(expectedDifference, combined.Total.ToDouble() - interOnly.Total.ToDouble(), 10);
    }

    [Fact]
    public void CombinedLossGradientMatchesFiniteDifferences()
    {
        random.manual_seed(3);
        var options = new TrainingOptions { TopQ = 3, Margin = 0.5 };
        using var musicRaw = randn(6, 5, dtype: ScalarType.Float64);
        using var videoRaw = randn(6, 4, dtype: ScalarType.Float64);
        using var music = randn(6, 3, dtype: ScalarType.Float64).requires_grad_();
        using var video = randn(6, 3, dtype: ScalarType.Float64).requires_grad_();

        double Loss()
        {
            using var scope = NewDisposeScope();
            return VmNetLoss.Combined(
                musicRaw, videoRaw, nn.functional.normalize(music, p: 2, dim: 1), nn.functional.normalize(video, p: 2, dim: 1), options).Total.ToDouble();
        }

        var terms = VmNetLoss.Combined(musicRaw, videoRaw, nn.functional.normalize(music, p: 2, dim: 1), nn.functional.normalize(video, p: 2, dim: 1), options);
        Assert.True(terms.Total.ToDouble() > 0, "the check needs active terms");
        terms.Total.backward();
        foreach (var x in new[] { music, video })
        {
            var analytic = x.grad!.data<double>().ToArray();
            var values = x.detach();
            var h = 1e-6;
            for (var i = 0; i < analytic.Length; i++)
            {
                using var noGrad = no_grad();
                var flat = values.view(-1);
                var original = flat[i].ToDouble();
                flat[i] = original + h;
                var up = Loss();
                flat[i] = original - h;
                var down = Loss();
                flat[i] = original;
                Assert.Equal((up - down) / (2 * h), analytic[i], 6);
            }
        }
    }
}
