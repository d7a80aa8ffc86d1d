namespace VmNet.Training;

/// <summary>Recall@K curves of both directions (validation and, when there is one, test) as a PNG.</summary>
public static class RecallPlot
{
    public static void Save(string path, string title, RecallReport validation, RecallReport? test)
    {
        var plot = new ScottPlot.Plot();
        Add(plot, "val video→music", validation.VideoToMusic);
        Add(plot, "val music→video", validation.MusicToVideo);
        if (test is not null)
        {
            Add(plot, "test video→music", test.VideoToMusic);
            Add(plot, "test music→video", test.MusicToVideo);
        }

        plot.Title($"Recall@K, model {title}");
        plot.XLabel("K");
        plot.YLabel("Recall@K");
        plot.Axes.SetLimitsY(0, 1.05);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        plot.SavePng(path, 800, 500);
    }

    /// <summary>One curve of <see cref="Curves"/>: a method's mean over seeds in one direction, with its spread.</summary>
    public sealed record Curve(string Label, DirectionRecall Mean, DirectionRecall? Sd, int Colour, ScottPlot.LinePattern Pattern);

    /// <summary>
    /// Mean Recall@K per curve; where a curve has a non-zero sd (several seeds), a band of ±1 sd around it,
    /// clipped to [0, 1], shows how much of a difference between methods the seed alone can make.
    /// </summary>
    public static ScottPlot.Plot Curves(string title, IEnumerable<Curve> curves)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var curve in curves)
        {
            var xs = curve.Mean.Ks.Select(k => (double)k).ToArray();
            var ys = curve.Mean.Recalls.ToArray();
            var colour = palette.GetColor(curve.Colour);
            if (curve.Sd is { } sd && sd.Recalls.Any(s => s > 0))
            {
                var band = plot.Add.FillY(
                    xs,
                    [.. ys.Select((y, i) => Math.Max(0, y - sd.Recalls[i]))],
                    [.. ys.Select((y, i) => Math.Min(1, y + sd.Recalls[i]))]);
                band.FillColor = colour.WithAlpha(0.15);
                band.LineWidth = 0;
            }

            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = curve.Label;
            line.Color = colour;
            line.LinePattern = curve.Pattern;
            line.LineWidth = 2;
        }

        plot.Title(title);
        plot.XLabel("K");
        plot.YLabel("Recall@K");
        plot.Axes.SetLimitsY(0, 1.05);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        return plot;
    }

    private static void Add(ScottPlot.Plot plot, string label, DirectionRecall recall)
    {
        var scatter = plot.Add.Scatter(recall.Ks.Select(k => (double)k).ToArray(), recall.Recalls.ToArray());
        scatter.LegendText = label;
    }
}
