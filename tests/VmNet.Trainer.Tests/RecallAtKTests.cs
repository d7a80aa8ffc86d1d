using VmNet.Training;

namespace VmNet.Trainer.Tests;

public sealed class RecallAtKTests
{
    [Fact]
    public void RanksCountStrictlyMoreSimilarItems()
    {
        // Queries along x, y, and the diagonal; gallery in a different order: match of query i is gallery i.
        float[] queries = [1, 0, 0, 1, 1, 1];
        float[] gallery = [0, 1, 1, 0, 1, 1];
        // q0=(1,0): sims to g = (0, 1, .707) → match 0 is beaten by 2 → rank 3.
        // q1=(0,1): sims (1, 0, .707) → match 0 beaten by 2 → rank 3. q2: sims (.707, .707, 1) → rank 1.
        Assert.Equal([3, 3, 1], RecallAtK.Ranks(queries, gallery, dim: 2));
    }

    [Fact]
    public void TiesCountInTheQuerysFavour()
    {
        float[] queries = [1, 0, 1, 0];
        float[] gallery = [1, 0, 1, 0];
        Assert.Equal([1, 1], RecallAtK.Ranks(queries, gallery, dim: 2));
    }

    [Fact]
    public void RecallAndMedianRankFromRanks()
    {
        var recall = RecallAtK.FromRanks([1, 2, 11, 30, 120, 5], [1, 10, 25, 50, 100]);
        Assert.Equal([1 / 6.0, 3 / 6.0, 4 / 6.0, 5 / 6.0, 5 / 6.0], recall.Recalls);
        Assert.Equal((5 + 11) / 2.0, recall.MedianRank);
        Assert.Equal(3 / 6.0, recall.At(10));
        Assert.Equal(3.0, RecallAtK.FromRanks([9, 3, 1]).MedianRank);
    }

    [Fact]
    public void EvaluateReportsBothDirectionsAndTheGateFigure()
    {
        // Music equals video for pairs 0 and 1; pair 2's music points at pair 0's video.
        float[] music = [1, 0, 0, 1, 1, 0.01f];
        float[] video = [1, 0, 0, 1, -1, -1];
        var report = RecallAtK.Evaluate(music, video, dim: 2, ks: [1, 10]);
        Assert.Equal([1, 1, 3], RecallAtK.Ranks(video, music, 2));
        Assert.Equal(2 / 3.0, report.VideoToMusic.At(1), 12);
        Assert.Equal(1.0, report.VideoToMusic.At(10));
        Assert.Equal((report.VideoToMusic.At(10) + report.MusicToVideo.At(10)) / 2, report.MeanRecallAt10);
        var metrics = report.ToMetrics("val");
        Assert.Equal(report.MeanRecallAt10, metrics["val.R@10"]);
        Assert.Equal(2 / 3.0, metrics["val.v2m.R@1"], 12);
        Assert.True(metrics.ContainsKey("val.m2v.medianRank"));
    }
}
