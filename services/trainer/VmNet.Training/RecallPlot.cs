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

    private static void Add(ScottPlot.Plot plot, string label, DirectionRecall recall)
    {
        var scatter = plot.Add.Scatter(recall.Ks.Select(k => (double)k).ToArray(), recall.Recalls.ToArray());
        scatter.LegendText = label;
    }
}
