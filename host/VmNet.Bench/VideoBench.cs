using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VmNet.Media;
using VmNet.VideoFeatures;
using VmNet.Commands;

namespace VmNet.Bench;

/// <summary>
/// <c>vmnet bench video</c>: frames per second for FFmpeg decoding alone, the CNN alone and the whole extraction,
/// at several batch sizes, on a generated 720p H.264 video. Ratios are against the CNN alone at batch 1,
/// measured in the same run.
/// </summary>
public static class VideoBench
{
    public sealed record Row(string Stage, int Batch, int Frames, double Seconds, double FramesPerSecond, double RatioToBaseline, double? MaxAbsDiffToBatch1);

    public sealed record Report(string ExecutionProvider, string? ProviderNote, string Source, int ProcessorCount, IReadOnlyList<Row> Rows);

    public static Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "Length of the generated video", DefaultValueFactory = _ => 60 };
        var noisy = new Option<bool>("--noisy") { Description = "Add heavy temporal noise (hard to decode)" };
        var file = new Option<string?>("--file") { Description = "Benchmark this video instead of a generated one" };
        var batches = new Option<int[]>("--batch")
        {
            Description = "Batch sizes (repeatable)",
            DefaultValueFactory = _ => [1, 8, 32],
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("video", "Video features: decode, CNN and end-to-end frames/s at batch sizes 1/8/32.")
        {
            seconds, noisy, file, batches,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = CommandContext.From(parse).Section<VideoFeatureOptions>(VideoFeatureOptions.Section);
            var temp = Path.Combine(Path.GetTempPath(), $"vmnet-bench-video-{Guid.NewGuid():N}");
            Directory.CreateDirectory(temp);
            try
            {
                var path = parse.GetValue(file) is { } given
                    ? InputFiles.Existing(given)
                    : await GenerateAsync(Path.Combine(temp, "bench.mp4"), parse.GetValue(seconds), parse.GetValue(noisy), ct);
                var report = await RunAsync(options, path, parse.GetValue(batches)!, ct);
                Print(report, parse.GetValue(CliOptions.Json));
                return 0;
            }
            finally
            {
                Directory.Delete(temp, recursive: true);
            }
        });
        return command;
    }

    public static async Task<Report> RunAsync(VideoFeatureOptions options, string path, IReadOnlyList<int> batches, CancellationToken ct)
    {
        using var extractor = new VideoFeatureExtractor(options, pcaStore: null);
        var rows = new List<(string Stage, int Batch, int Frames, double Seconds, double? Diff)>();

        var watch = Stopwatch.StartNew();
        var decoded = new List<byte[]>();
        await foreach (var frame in extractor.Decoder.DecodeAsync(path, ct))
        {
            decoded.Add(frame);
        }

        rows.Add(("decode", 0, decoded.Count, watch.Elapsed.TotalSeconds, null));
        _ = extractor.Cnn.Featurize(decoded.Take(1).ToList()); // warm-up: the first run allocates ONNX Runtime's arenas
        float[]? reference = null;
        foreach (var batch in batches.Prepend(1).Distinct())
        {
            watch.Restart();
            var features = new List<float>();
            foreach (var chunk in decoded.Chunk(batch))
            {
                features.AddRange(extractor.Cnn.Featurize(chunk));
            }

            var seconds = watch.Elapsed.TotalSeconds;
            reference ??= [.. features];
            rows.Add(("cnn", batch, decoded.Count, seconds, MaxAbsDiff(reference, features)));
        }

        foreach (var batch in batches.Distinct())
        {
            watch.Restart();
            var frames = await extractor.ComputeFramesAsync(path, batch, ct);
            _ = extractor.Pool(frames);
            rows.Add(("end-to-end", batch, frames.Count, watch.Elapsed.TotalSeconds, MaxAbsDiff(reference!, frames.Values)));
        }

        var baseline = rows.First(r => r.Stage == "cnn" && r.Batch == 1);
        var baselineFps = baseline.Frames / baseline.Seconds;
        return new Report(
            extractor.Cnn.ExecutionProvider, extractor.Cnn.ProviderNote, path, Environment.ProcessorCount,
            rows.Where(r => batches.Contains(r.Batch) || r.Stage == "decode")
                .Select(r => new Row(r.Stage, r.Batch, r.Frames, r.Seconds, r.Frames / r.Seconds, r.Frames / r.Seconds / baselineFps, r.Diff))
                .ToList());
    }

    private static double MaxAbsDiff(IReadOnlyList<float> a, IReadOnlyList<float> b) =>
        a.Count != b.Count ? double.NaN : a.Zip(b, (x, y) => Math.Abs((double)x - y)).DefaultIfEmpty(0).Max();

    private static async Task<string> GenerateAsync(string path, double seconds, bool noisy, CancellationToken ct)
    {
        var duration = seconds.ToString("0.###", CultureInfo.InvariantCulture);
        string[] args =
        [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", $"testsrc2=size=1280x720:rate=25:duration={duration}",
            .. noisy ? (string[])["-vf", "noise=alls=60:allf=t+u"] : [],
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path,
        ];
        var result = await ProcessRunner.RunAsync(FfmpegAudio.FfmpegProgram, args, TimeSpan.FromMinutes(10), ct);
        return result.ExitCode == 0
            ? path
            : throw new InvalidOperationException($"ffmpeg could not make the benchmark video: {FfmpegAudio.LastLine(result.StandardError)}");
    }

    private static void Print(Report report, bool json)
    {
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(report, CliJson.Options));
            return;
        }

        Console.WriteLine($"video features on {report.ExecutionProvider} ({report.ProcessorCount} cores){(report.ProviderNote is null ? string.Empty : "; CUDA: " + report.ProviderNote)}");
        Console.WriteLine($"source: {report.Source}");
        Console.WriteLine($"{"stage",-11} {"batch",5} {"frames",6} {"seconds",8} {"frames/s",9} {"× cnn@1",8} {"max|Δ| vs b1",13}");
        foreach (var r in report.Rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Stage,-11} {(r.Batch == 0 ? "-" : r.Batch.ToString(CultureInfo.InvariantCulture)),5} {r.Frames,6} {r.Seconds,8:0.000} {r.FramesPerSecond,9:0.0} {r.RatioToBaseline,8:0.00} {(r.MaxAbsDiffToBatch1 is { } d ? d.ToString("0.0e0", CultureInfo.InvariantCulture) : "-"),13}"));
        }
    }
}
