using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VmNet.Catalogue;
using VmNet.Commands;
using VmNet.Media;
using VmNet.VideoFeatures;

namespace VmNet.Bench;

/// <summary>
/// <c>vmnet bench video</c>: frames per second for FFmpeg decoding alone (every frame, and keyframes only), the CNN
/// alone and the whole extraction with each decoding, at several batch sizes, on a generated 720p H.264 video (or the
/// given ones). Ratios are against the full-decode extraction at the first batch size, measured in the same run; the
/// keyframes-only features are compared with the full decode's (cosine of the pooled vectors) on every source.
/// </summary>
public static class VideoBench
{
    /// <summary>
    /// One stage. <c>CpuSeconds</c>: core-seconds this process and FFmpeg used; <c>CpuBoundFramesPerSecond</c>: the
    /// frames/s all cores would give if the stage had the machine to itself (cores / core-seconds per frame), the
    /// figure that other load on the machine does not move much.
    /// </summary>
    public sealed record Row(
        string Stage, int Batch, int Frames, double Seconds, double FramesPerSecond, double RatioToBaseline, double? MaxAbsDiffToBatch1,
        double CpuSeconds, double CpuBoundFramesPerSecond, double CpuRatioToBaseline);

    /// <summary>One source: its longest keyframe gap, what Auto picks, and how far the cheaper decodes' features are from the full decode's.</summary>
    public sealed record Source(
        string Path, double? LongestKeyframeGapSeconds, string AutoSampling, int FullFrames, int KeyframeFrames, int NoBFramesFrames,
        double CosineKeyframesToFull, double CosineNoBFramesToFull);

    /// <summary>The samplings that decode less than every frame, compared with the full decode.</summary>
    private static readonly VideoSampling[] Cheaper = [VideoSampling.NoBFrames, VideoSampling.Keyframes];

    private static string StageName(VideoSampling sampling) => sampling switch
    {
        VideoSampling.Full => "full",
        VideoSampling.Keyframes => "keyframes",
        VideoSampling.NoBFrames => "no-b-frames",
        _ => sampling.ToString().ToLowerInvariant(),
    };

    public sealed record Report(
        string ExecutionProvider, string? ProviderNote, int ProcessorCount, string Baseline, IReadOnlyList<Row> Rows, IReadOnlyList<Source> Sources);

    public static Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "Length of the generated video", DefaultValueFactory = _ => 60 };
        var keyframeInterval = new Option<double>("--keyframe-interval")
        {
            Description = "Seconds between keyframes of the generated video (x264 -g; FFmpeg's default is 10 s at 25 frames/s, streaming encoders use 1-2 s)",
            DefaultValueFactory = _ => 10,
        };
        var preset = new Option<string>("--preset")
        {
            Description = "x264 preset of the generated video; the default has CABAC, deblocking and B-frames like most uploads (ultrafast has none of them and decodes faster)",
            DefaultValueFactory = _ => "veryfast",
        };
        preset.AcceptOnlyFromAmong("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow");
        var noisy = new Option<bool>("--noisy") { Description = "Add heavy temporal noise (hard to decode)" };
        var files = new Option<string[]>("--file")
        {
            Description = "Benchmark these videos instead of a generated one (repeatable; throughput on the first, features on each)",
            AllowMultipleArgumentsPerToken = true,
        };
        var batches = new Option<int[]>("--batch")
        {
            Description = "Batch sizes (repeatable)",
            DefaultValueFactory = _ => [8, 1, 32],
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("video", "Video features: decode (every frame, no B-frames, keyframes only), CNN and end-to-end frames/s; the cheaper decodes' features vs the full decode.")
        {
            seconds, keyframeInterval, preset, noisy, files, batches,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = CommandContext.From(parse).Section<VideoFeatureOptions>(VideoFeatureOptions.Section);
            var temp = Path.Combine(Path.GetTempPath(), $"vmnet-bench-video-{Guid.NewGuid():N}");
            Directory.CreateDirectory(temp);
            try
            {
                var given = parse.GetValue(files) ?? [];
                IReadOnlyList<string> paths = given.Length > 0
                    ? [.. given.Select(InputFiles.Existing)]
                    : [await GenerateAsync(Path.Combine(temp, "bench.mp4"), parse.GetValue(seconds), parse.GetValue(keyframeInterval), parse.GetValue(preset)!, parse.GetValue(noisy), ct)];
                var report = await RunAsync(options, paths, parse.GetValue(batches)!, ct);
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

    public static async Task<Report> RunAsync(VideoFeatureOptions options, IReadOnlyList<string> paths, IReadOnlyList<int> batches, CancellationToken ct)
    {
        using var extractor = new VideoFeatureExtractor(options, pcaStore: null);
        var path = paths[0];
        var rows = new List<(string Stage, int Batch, int Frames, double Seconds, double? Diff, double Cpu)>();

        var watch = Stopwatch.StartNew();
        var cpu = CpuClock.Seconds();
        var decoded = new List<byte[]>();
        await foreach (var frame in extractor.Decoder.DecodeAsync(path, VideoSampling.Full, ct))
        {
            decoded.Add(frame);
        }

        rows.Add(("decode-full", 0, decoded.Count, watch.Elapsed.TotalSeconds, null, CpuClock.Seconds() - cpu));
        foreach (var sampling in Cheaper)
        {
            watch.Restart();
            cpu = CpuClock.Seconds();
            var count = 0;
            await foreach (var _ in extractor.Decoder.DecodeAsync(path, sampling, ct))
            {
                count++;
            }

            rows.Add(("decode-" + StageName(sampling), 0, count, watch.Elapsed.TotalSeconds, null, CpuClock.Seconds() - cpu));
        }

        _ = extractor.Cnn.Featurize(decoded.Take(1).ToList()); // warm-up: the first run allocates ONNX Runtime's arenas
        float[]? reference = null;
        foreach (var batch in batches.Prepend(1).Distinct())
        {
            watch.Restart();
            cpu = CpuClock.Seconds();
            var features = new List<float>();
            foreach (var chunk in decoded.Chunk(batch))
            {
                features.AddRange(extractor.Cnn.Featurize(chunk));
            }

            var seconds = watch.Elapsed.TotalSeconds;
            reference ??= [.. features];
            rows.Add(("cnn", batch, decoded.Count, seconds, MaxAbsDiff(reference, features), CpuClock.Seconds() - cpu));
        }

        // Alternating the samplings at each batch size, so a change in machine load hits them alike.
        foreach (var batch in batches.Distinct())
        {
            foreach (var sampling in Cheaper.Prepend(VideoSampling.Full))
            {
                watch.Restart();
                cpu = CpuClock.Seconds();
                var frames = await extractor.ComputeFramesAsync(path, batch, sampling, ct);
                _ = extractor.Pool(frames);
                rows.Add(("end-to-end-" + StageName(sampling), batch, frames.Count, watch.Elapsed.TotalSeconds,
                    sampling == VideoSampling.Full ? MaxAbsDiff(reference!, frames.Values) : null, CpuClock.Seconds() - cpu));
            }
        }

        var sources = new List<Source>();
        foreach (var source in paths)
        {
            var full = await extractor.ComputeFramesAsync(source, extractor.BatchSize, VideoSampling.Full, ct);
            var key = await extractor.ComputeFramesAsync(source, extractor.BatchSize, VideoSampling.Keyframes, ct);
            var noB = await extractor.ComputeFramesAsync(source, extractor.BatchSize, VideoSampling.NoBFrames, ct);
            var layout = await KeyframeProbe.ProbeAsync(source, options.MaxSeconds, options.DecodeTimeout, ct);
            var fullVector = extractor.Pool(full).Vector;
            sources.Add(new Source(source, layout.LongestGapSeconds, extractor.Decoder.Choose(layout).ToString(), full.Count, key.Count, noB.Count,
                VectorMath.Cosine(fullVector, extractor.Pool(key).Vector), VectorMath.Cosine(fullVector, extractor.Pool(noB).Vector)));
        }

        var baseline = rows.First(r => r.Stage == "end-to-end-full");
        var baselineFps = baseline.Frames / baseline.Seconds;
        var cores = Environment.ProcessorCount;
        var baselineCpuFps = baseline.Frames * cores / baseline.Cpu;
        return new Report(
            extractor.Cnn.ExecutionProvider, extractor.Cnn.ProviderNote, Environment.ProcessorCount,
            $"end-to-end-full at batch {baseline.Batch.ToString(CultureInfo.InvariantCulture)}",
            rows.Where(r => batches.Contains(r.Batch) || r.Batch == 0)
                .Select(r => new Row(r.Stage, r.Batch, r.Frames, r.Seconds, r.Frames / r.Seconds, r.Frames / r.Seconds / baselineFps, r.Diff,
                    r.Cpu, r.Frames * cores / r.Cpu, r.Frames * cores / r.Cpu / baselineCpuFps))
                .ToList(),
            sources);
    }

    private static double MaxAbsDiff(IReadOnlyList<float> a, IReadOnlyList<float> b) =>
        a.Count != b.Count ? double.NaN : a.Zip(b, (x, y) => Math.Abs((double)x - y)).DefaultIfEmpty(0).Max();

    private static async Task<string> GenerateAsync(string path, double seconds, double keyframeInterval, string preset, bool noisy, CancellationToken ct)
    {
        var duration = seconds.ToString("0.###", CultureInfo.InvariantCulture);
        var gop = Math.Max(1, (int)Math.Round(keyframeInterval * 25)).ToString(CultureInfo.InvariantCulture);
        string[] args =
        [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", $"testsrc2=size=1280x720:rate=25:duration={duration}",
            .. noisy ? (string[])["-vf", "noise=alls=60:allf=t+u"] : [],
            "-c:v", "libx264", "-preset", preset, "-g", gop, "-pix_fmt", "yuv420p", path,
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
        Console.WriteLine($"throughput on {report.Sources[0].Path}; ratios against {report.Baseline}");
        Console.WriteLine($"{"stage",-24} {"batch",5} {"frames",6} {"seconds",8} {"frames/s",9} {"ratio",6} {"cpu s",7} {"cpu-bound f/s",13} {"ratio",6} {"max|Δ| vs cnn@1",15}");
        foreach (var r in report.Rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Stage,-24} {(r.Batch == 0 ? "-" : r.Batch.ToString(CultureInfo.InvariantCulture)),5} {r.Frames,6} {r.Seconds,8:0.000} {r.FramesPerSecond,9:0.0} {r.RatioToBaseline,6:0.00} {r.CpuSeconds,7:0.00} {r.CpuBoundFramesPerSecond,13:0.0} {r.CpuRatioToBaseline,6:0.00} {(r.MaxAbsDiffToBatch1 is { } d ? d.ToString("0.0e0", CultureInfo.InvariantCulture) : "-"),15}"));
        }

        Console.WriteLine($"{"longest keyframe gap",20} {"auto",15} {"frames full/keyframes/no-b",26} {"cosine keyframes",16} {"cosine no-b",11}  source");
        foreach (var s in report.Sources)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(s.LongestKeyframeGapSeconds is { } g ? g.ToString("0.00", CultureInfo.InvariantCulture) + " s" : "-"),20} {s.AutoSampling,15} {s.FullFrames + "/" + s.KeyframeFrames + "/" + s.NoBFramesFrames,26} {s.CosineKeyframesToFull,16:0.0000} {s.CosineNoBFramesToFull,11:0.0000}  {s.Path}"));
        }
    }
}
