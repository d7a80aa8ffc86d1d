using System.Globalization;
using System.Text.Json;
using VmNet.Catalogue;
using VmNet.ModelFormat;

namespace VmNet.Training;

/// <summary>
/// Writes and reads model folders <c>models/&lt;version&gt;/</c>: the two ONNX branches (normalisation inside),
/// normalisation.json, training.json (options, loss history, split sizes, data snapshot), metrics.json,
/// recall.png, and model.json last, so a folder counts only once complete. A <c>published.json</c> marker says the
/// gate let it out.
/// </summary>
public static class ModelFolder
{
    public const string MusicOnnx = "music.onnx";
    public const string VideoOnnx = "video.onnx";
    public const string PublishedMarker = "published.json";
    public const string PlotFile = "recall.png";

    private static readonly JsonSerializerOptions Json = ModelManifest.Json;

    /// <summary>A new version name: UTC time and the data snapshot, e.g. <c>20250101-120000-5f3a9c</c>.</summary>
    public static string NewVersion(ModelRegistry registry, DateTimeOffset now, string snapshot)
    {
        var stem = $"{now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{snapshot[(snapshot.IndexOf('-') + 1)..][..6]}";
        var version = stem;
        for (var i = 2; Directory.Exists(registry.FolderOf(version)); i++)
        {
            version = $"{stem}-{i}";
        }

        return version;
    }

    public static ModelManifest Save(
        ModelRegistry registry, string version, TrainingResult result, PairCorpus corpus, TrainingOptions options, DateTimeOffset createdAt)
    {
        var folder = registry.FolderOf(version);
        Directory.CreateDirectory(folder);
        var model = result.Model;
        BranchOnnx.Save(model.Network.Music.ToGraph(model.MusicNormalizer, model.MusicProjection), Path.Combine(folder, MusicOnnx));
        BranchOnnx.Save(model.Network.Video.ToGraph(model.VideoNormalizer, model.VideoProjection), Path.Combine(folder, VideoOnnx));
        Write(folder, "normalisation.json", new
        {
            music = new { mean = model.MusicNormalizer.Mean, std = model.MusicNormalizer.Std },
            video = new { mean = model.VideoNormalizer.Mean, std = model.VideoNormalizer.Std },
        });
        var metrics = Metrics(result, corpus);
        Write(folder, "metrics.json", metrics);
        Write(folder, "training.json", new
        {
            options,
            lossMode = options.LossMode.ToString(),
            result.BestEpoch,
            history = result.History,
            split = new { train = corpus.Train.Count, validation = corpus.Validation.Count, test = corpus.Test.Count },
            dataSnapshot = corpus.Snapshot,
        });
        RecallPlot.Save(Path.Combine(folder, PlotFile), version, result.Validation, result.Test);
        var manifest = new ModelManifest(
            version, createdAt, corpus.MusicDim, corpus.VideoDim, options.EmbeddingDim, MusicOnnx, VideoOnnx, metrics,
            corpus.Snapshot, corpus.VideoFeatureVersion);
        manifest.Save(folder);
        return manifest;
    }

    public static Dictionary<string, double> Metrics(TrainingResult result, PairCorpus corpus)
    {
        var metrics = result.Validation.ToMetrics("val");
        foreach (var (key, value) in result.Test?.ToMetrics("test") ?? [])
        {
            metrics[key] = value;
        }

        metrics["trainPairs"] = corpus.Train.Count;
        metrics["valPairs"] = corpus.Validation.Count;
        metrics["testPairs"] = corpus.Test.Count;
        metrics["bestEpoch"] = result.BestEpoch;
        metrics["epochs"] = result.History.Count;
        return metrics;
    }

    public static void MarkPublished(string folder, DateTimeOffset at) => Write(folder, PublishedMarker, new { publishedAt = at });

    /// <summary>The most recently published model, or null before the first.</summary>
    public static ModelManifest? Live(ModelRegistry registry)
    {
        ModelManifest? live = null;
        var liveAt = DateTimeOffset.MinValue;
        foreach (var manifest in registry.List())
        {
            var marker = Path.Combine(registry.FolderOf(manifest.Version), PublishedMarker);
            if (File.Exists(marker))
            {
                var at = JsonDocument.Parse(File.ReadAllText(marker)).RootElement.GetProperty("publishedAt").GetDateTimeOffset();
                if (at >= liveAt)
                {
                    (live, liveAt) = (manifest, at);
                }
            }
        }

        return live;
    }

    private static void Write<T>(string folder, string name, T value)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path + ".partial", JsonSerializer.Serialize(value, Json));
        File.Move(path + ".partial", path, overwrite: true);
    }
}
