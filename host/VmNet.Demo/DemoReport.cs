using System.Globalization;
using System.Net;
using System.Text;
using MathNet.Numerics.LinearAlgebra;
using ScottPlot;
using VmNet.Training;

using VmNet.Commands;

namespace VmNet.Demo;

/// <summary>
/// Writes <c>DATA/report/</c>: <c>index.html</c> with the figures, <c>recall.png</c> (R@K of both losses, both
/// directions, with a ±1 sd band over seeds, beside the CCA baseline and chance), <c>loss.png</c> (training loss and validation R@10 per epoch), <c>projection.png</c>
/// (the test pairs' live embeddings on their first two principal components, coloured by style cluster) and
/// <c>results.json</c> (what <c>--json</c> prints).
/// </summary>
public static class DemoReport
{
    public const string PageName = "index.html";
    public const string RecallPng = "recall.png";
    public const string LossPng = "loss.png";
    public const string ProjectionPng = "projection.png";
    public const string ResultsJson = "results.json";

    public static IReadOnlyList<string> Files { get; } = [PageName, RecallPng, LossPng, ProjectionPng, ResultsJson];

    public static void Write(DemoResult result, DemoRunner.TestEmbeddings embeddings, Func<string, DemoItem?> itemOf)
    {
        var folder = Path.GetDirectoryName(result.ReportPath)!;
        Directory.CreateDirectory(folder);
        RecallCurves(result).SavePng(Path.Combine(folder, RecallPng), 900, 520);
        LossCurves(result).SavePng(Path.Combine(folder, LossPng), 900, 720);
        Projection(embeddings, itemOf).SavePng(Path.Combine(folder, ProjectionPng), 900, 700);
        File.WriteAllText(result.ReportPath, Page(result));
    }

    /// <summary>Last, once every stage (the report's own included) has its time.</summary>
    public static void WriteResults(DemoResult result) =>
        File.WriteAllText(
            Path.Combine(Path.GetDirectoryName(result.ReportPath)!, ResultsJson),
            DemoJson.From(result).ToJsonString(new(CliJson.Options) { WriteIndented = true }));

    private static Plot RecallCurves(DemoResult result)
    {
        var curves = new RecallPlot.Curve[]
        {
            new("combined video→music", result.Combined.Spread.Mean.VideoToMusic, result.Combined.Spread.Sd.VideoToMusic, 0, LinePattern.Solid),
            new("combined music→video", result.Combined.Spread.Mean.MusicToVideo, result.Combined.Spread.Sd.MusicToVideo, 0, LinePattern.Dashed),
            new("inter-only video→music", result.InterOnly.Spread.Mean.VideoToMusic, result.InterOnly.Spread.Sd.VideoToMusic, 1, LinePattern.Solid),
            new("inter-only music→video", result.InterOnly.Spread.Mean.MusicToVideo, result.InterOnly.Spread.Sd.MusicToVideo, 1, LinePattern.Dashed),
            new("CCA video→music", result.Cca.Test.VideoToMusic, null, 2, LinePattern.Solid),
            new("CCA music→video", result.Cca.Test.MusicToVideo, null, 2, LinePattern.Dashed),
            new("chance", result.Chance.VideoToMusic, null, 7, LinePattern.Dotted),
        };
        var seeds = result.Seeds > 1 ? $", mean ± sd over {result.Seeds} seeds" : string.Empty;
        return RecallPlot.Curves($"Recall@K on {result.TestPairs} held-out pairs{seeds}", curves);
    }

    private static Multiplot LossCurves(DemoResult result)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var loss = multiplot.GetPlot(0);
        var validation = multiplot.GetPlot(1);
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var (model, colour) in new[] { (result.Combined, 0), (result.InterOnly, 1) })
        {
            var epochs = model.History.Select(e => (double)e.Epoch).ToArray();
            var total = loss.Add.Scatter(epochs, model.History.Select(e => e.Loss).ToArray());
            total.LegendText = $"{model.Name}: total loss";
            total.Color = palette.GetColor(colour);
            if (model.Name == "combined")
            {
                var ranking = loss.Add.Scatter(epochs, model.History.Select(e => e.VideoToMusic + e.MusicToVideo).ToArray());
                ranking.LegendText = "combined: ranking terms v→m + m→v (unweighted)";
                ranking.Color = palette.GetColor(colour);
                ranking.LinePattern = LinePattern.Dashed;
            }

            var recall = validation.Add.Scatter(epochs, model.History.Select(e => e.ValidationRecallAt10).ToArray());
            recall.LegendText = $"{model.Name} (best epoch {model.BestEpoch})";
            recall.Color = palette.GetColor(colour);
        }

        loss.Title("Training loss per epoch");
        loss.XLabel("epoch");
        loss.YLabel("mean loss");
        loss.ShowLegend(Alignment.UpperRight);
        validation.Title("Validation R@10 (mean of both directions) per epoch");
        validation.XLabel("epoch");
        validation.YLabel("R@10");
        validation.Axes.SetLimitsY(0, 1.05);
        validation.ShowLegend(Alignment.LowerRight);
        return multiplot;
    }

    /// <summary>Music and video embeddings of the test pairs on the first two principal components of both together.</summary>
    private static Plot Projection(DemoRunner.TestEmbeddings e, Func<string, DemoItem?> itemOf)
    {
        var n = e.MediaIds.Count;
        var rows = Matrix<double>.Build.Dense(2 * n, e.Dim, (i, j) => i < n ? e.Music[(i * e.Dim) + j] : e.Video[((i - n) * e.Dim) + j]);
        var mean = rows.ColumnSums() / rows.RowCount;
        var centred = rows - Matrix<double>.Build.Dense(rows.RowCount, rows.ColumnCount, (_, j) => mean[j]);
        var components = centred.Svd(computeVectors: true).VT.SubMatrix(0, Math.Min(2, e.Dim), 0, e.Dim);
        var projected = centred * components.Transpose();

        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var groups = Enumerable.Range(0, n)
            .GroupBy(i => itemOf(e.MediaIds[i]) is { Style: { } style, Cluster: { } cluster } ? (cluster, style) : (-1, "unknown style"))
            .OrderBy(g => g.Key.Item1);
        foreach (var group in groups)
        {
            var colour = palette.GetColor(Math.Max(0, group.Key.Item1));
            foreach (var (offset, shape, modality) in new[] { (n, MarkerShape.FilledCircle, "video"), (0, MarkerShape.OpenTriangleUp, "music") })
            {
                var points = plot.Add.ScatterPoints(
                    group.Select(i => projected[offset + i, 0]).ToArray(),
                    group.Select(i => projected[offset + i, Math.Min(1, projected.ColumnCount - 1)]).ToArray());
                points.Color = colour;
                points.MarkerShape = shape;
                points.MarkerSize = 9;
                points.LegendText = $"{group.Key.Item2} ({modality})";
            }
        }

        plot.Title($"Test embeddings of the live model, PCA to 2-D ({n} pairs; ● video, △ music)");
        plot.XLabel("PC 1");
        plot.YLabel("PC 2");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static string Page(DemoResult r)
    {
        var html = new StringBuilder();
        html.Append(Head);
        html.Append(CultureInfo.InvariantCulture, $"""
            <p>{r.Pairs} pairs from {E(r.GeneratedCorpus ? "a generated corpus" : "a folder of music videos")} (<code>{E(r.CorpusDirectory)}</code>), seed {r.Seed}:
            {r.TrainPairs} for training, {r.ValidationPairs} for validation (early stopping), {r.TestPairs} held out by media id for the figures below.
            {(r.Failed > 0 ? $"{r.Failed} items could not be ingested or featurised and were left out." : string.Empty)}
            Both models were trained on the same split with the same seed{(r.Seeds > 1 ? $"s ({r.Seeds} each, {r.Seed}..{r.Seed + r.Seeds - 1}; figures are mean±sd over them)" : string.Empty)};
            the combined model of seed {r.Seed} (version <code>{E(r.Combined.Version ?? "-")}</code>)
            was published on the bus and hot-swapped in, and its figures come from the vectors the live store serves.
            Baselines: linear CCA ({r.Cca.Components} canonical components of {r.Cca.MusicPcaDims}/{r.Cca.VideoPcaDims} music/video principal components
            of the standardised training features, ridge {r.Cca.Regularisation}), fitted on the training pairs only, and chance (a random ranking).
            The split's media ids are in <a href="{ResultsJson}">{ResultsJson}</a>.</p>
            <h2>Recall@K on the held-out pairs</h2>
            """);
        html.Append("<table><tr><th>metric</th>");
        foreach (var column in DemoCommand.Columns)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>{column}</th>");
        }

        html.Append("</tr>");
        var rows = DemoCommand.Rows(r);
        foreach (var (name, pick) in DemoCommand.Directions)
        {
            var cells = rows.Select(x => (Mean: pick(x.Mean), Sd: pick(x.Sd))).ToList();
            for (var k = 0; k < cells[0].Mean.Ks.Count; k++)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{name} R@{cells[0].Mean.Ks[k]}</td>");
                foreach (var (mean, sd) in cells)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<td>{DemoCommand.Cell(mean.Recalls[k], sd.Recalls[k], r.Seeds, "0.000")}</td>");
                }

                html.Append("</tr>");
            }

            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{name} median rank</td>");
            foreach (var (mean, sd) in cells)
            {
                html.Append(CultureInfo.InvariantCulture, $"<td>{DemoCommand.Cell(mean.MedianRank, sd.MedianRank, r.Seeds, "0.#")}</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</table>");
        html.Append(CultureInfo.InvariantCulture, $"""<p><img src="{RecallPng}" alt="Recall@K curves"></p><h2>Training</h2><p>Combined: best epoch {r.Combined.BestEpoch} of {r.Combined.History.Count}; inter-only: best epoch {r.InterOnly.BestEpoch} of {r.InterOnly.History.Count}.</p><p><img src="{LossPng}" alt="loss curves"></p><h2>Embedding</h2><p><img src="{ProjectionPng}" alt="2-D projection"></p>""");

        html.Append("<h2>Stages</h2><table><tr><th>stage</th><th>seconds</th></tr>");
        var s = r.Stages;
        foreach (var (name, seconds) in new[] { ("generate", s.Generate), ("ingest", s.Ingest), ("features", s.Features), ("train (both)", s.Train), ("publish + hot swap", s.Embed), ("eval", s.Eval), ("uploads", s.Uploads), ("gRPC queries", s.Queries), ("total", s.Total) })
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{name}</td><td>{seconds:0.0}</td></tr>");
        }

        html.Append("</table>");
        if (r.Uploads.Count > 0)
        {
            html.Append("<h2>Soundtracks suggested for new video-only uploads</h2><ul>");
            foreach (var u in r.Uploads)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><code>{E(u.File)}</code> ({E(u.Style ?? "?")}): {E(Tracks(u.Tracks))}</li>");
            }

            html.Append("</ul>");
        }

        if (r.Queries.Count > 0)
        {
            html.Append("<h2>Example gRPC queries (top 10 over the whole catalogue)</h2><ul>");
            foreach (var q in r.Queries)
            {
                var rank = q.PartnerRank is { } k ? $"its own partner is #{k}" : "its own partner is not in the top 10";
                html.Append(CultureInfo.InvariantCulture, $"<li>{E(q.Direction)} for <code>{E(q.File)}</code> ({E(q.Style ?? "?")}): {rank}; {E(Tracks(q.Top))}</li>");
            }

            html.Append("</ul>");
        }

        html.Append(CultureInfo.InvariantCulture, $"""<p>Machine-readable: <a href="{ResultsJson}">{ResultsJson}</a>.</p></body></html>""");
        return html.ToString();
    }

    private const string Head = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>VM-NET demo report</title>
        <style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}
        td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th:first-child,td:first-child{text-align:left}img{max-width:100%}</style></head><body>
        <h1>VM-NET demo</h1>

        """;

    private static string Tracks(IEnumerable<SuggestionEntry> tracks) =>
        string.Join(", ", tracks.Take(5).Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name} ({(t.ExternalId is null ? "" : t.ExternalId + ", ")}{t.Style ?? "?"}, {t.Score:0.00})")));

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
