using VmNet.Training;

namespace VmNet.Trainer.Tests;

public sealed class RecallSpreadTests
{
    [Fact]
    public void Mean_and_sample_sd_of_every_figure()
    {
        // Two seeds: R@1 0.2 and 0.4 → mean 0.3, sd √((0.1² + 0.1²)/1) = 0.1·√2; median ranks 3 and 7 → 5, 2√2.
        var runs = new[] { Report(0.2, 3), Report(0.4, 7) };

        var spread = RecallSpread.Of(runs);

        Assert.Equal(2, spread.Runs);
        Assert.Equal(0.3, spread.Mean.VideoToMusic.At(1), 12);
        Assert.Equal(0.1 * Math.Sqrt(2), spread.Sd.VideoToMusic.At(1), 12);
        Assert.Equal(5, spread.Mean.MusicToVideo.MedianRank, 12);
        Assert.Equal(2 * Math.Sqrt(2), spread.Sd.MusicToVideo.MedianRank, 12);
        Assert.Equal(1.0, spread.Mean.VideoToMusic.At(10), 12);
        Assert.Equal(0, spread.Sd.VideoToMusic.At(10), 12);
        var json = spread.ToJson();
        Assert.Equal(0.3, (double)json["videoToMusic"]!["R@1"]!, 12);
        Assert.Equal(0.1 * Math.Sqrt(2), (double)json["videoToMusic"]!["sd"]!["R@1"]!, 12);
    }

    [Fact]
    public void One_run_has_zero_sd()
    {
        var spread = RecallSpread.Of([Report(0.25, 4)]);
        Assert.Equal(0.25, spread.Mean.MusicToVideo.At(1));
        Assert.Equal(0, spread.Sd.MusicToVideo.At(1));
        Assert.Equal(0, spread.Sd.MusicToVideo.MedianRank);
    }

    private static RecallReport Report(double r1, double medianRank)
    {
        var direction = new DirectionRecall([1, 10], [r1, 1.0], medianRank, 10);
        return new RecallReport(direction, direction);
    }
}
