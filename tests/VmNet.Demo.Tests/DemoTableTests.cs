using VmNet.Demo;
using VmNet.Training;

namespace VmNet.Demo.Tests;

/// <summary>The demo's text table: the four rows of every figure, and mean±sd only when there are several seeds.</summary>
public sealed class DemoTableTests
{
    [Fact]
    public void Several_seeds_show_mean_and_sd_beside_the_cca_and_chance_columns()
    {
        var table = DemoCommand.Table(Result(seeds: 2, [Report(0.2), Report(0.4)]));
        var lines = table.Split('\n');

        Assert.Equal(["combined", "inter-only", "CCA", "chance"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        // combined R@1 over seeds 0.2 and 0.4: 0.300±0.141; inter-only one run of 0.5 shown as 0.500±0.000; CCA 0.75; chance 1/4.
        var r1 = lines.Single(l => l.StartsWith("video→music R@1 ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["video→music", "R@1", "0.300±0.141", "0.500±0.000", "0.750±0.000", "0.250±0.000"], r1);
        Assert.Contains("seeds 5..6, mean±sd", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void One_seed_shows_plain_figures()
    {
        var table = DemoCommand.Table(Result(seeds: 1, [Report(0.2)]));
        var r1 = table.Split('\n').Single(l => l.StartsWith("music→video R@1 ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["music→video", "R@1", "0.200", "0.500", "0.750", "0.250"], r1);
        Assert.DoesNotContain("±", table, StringComparison.Ordinal);
    }

    private static RecallReport Report(double r1)
    {
        var direction = new DirectionRecall(RecallAtK.DefaultKs, [r1, 1, 1, 1, 1], 2, 4);
        return new RecallReport(direction, direction);
    }

    private static DemoResult Result(int seeds, RecallReport[] combined) => new(
        "/data", "/corpus", true, 5, seeds, 12, 4, 4, 4, 0,
        new ModelFigures("combined", "v1", combined[0], [], 1, RecallSpread.Of(combined)),
        new ModelFigures("inter-only", null, Report(0.5), [], 1, RecallSpread.Of([Report(0.5)])),
        DemoRunner.Chance(4),
        new CcaFigures(Report(0.75), 3, 3, 3, 0.1),
        new SplitIds(["a"], ["b"], ["c"]),
        new StageTimes(0, 0, 0, 0, 0, 0, 0, 0, 0),
        [],
        [],
        "/data/report/index.html");
}
