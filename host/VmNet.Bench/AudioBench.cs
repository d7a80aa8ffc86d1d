using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using VmNet.AudioFeatures;
using VmNet.Commands;
using VmNet.Media;

namespace VmNet.Bench;

/// <summary><c>vmnet bench audio [FILE] [--tracks N] [--as-ingested]</c>: music feature throughput on one core and on all.</summary>
public static class AudioBench
{
    private static readonly TimeSpan DecodeTimeout = TimeSpan.FromMinutes(10);

    public sealed record BenchResult(
        string File, int Tracks, int Cores, double OneCoreTracksPerSecond, double OneCoreSecondsPerTrack,
        double AllCoresTracksPerSecond, double AllCoresSpeedup, double RealTimeFactorOneCore, IReadOnlyDictionary<string, double> StageShare,
        double WholeDecodeSecondsPerTrack = 0, double SpeedupOverWholeDecode = 0, double OneCoreCpuSecondsPerTrack = 0,
        double WholeDecodeCpuSecondsPerTrack = 0, double OneTrackAllCoresSecondsPerTrack = 0);

    public static Command Create()
    {
        var file = new Argument<string?>("file")
        {
            Description = "Track to measure (default: a full-length 180 s Vorbis track of synthetic tones and noise made with FFmpeg)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var tracks = new Option<int>("--tracks") { Description = "Tracks per measurement", DefaultValueFactory = _ => 4 };
        var asIngested = new Option<bool>("--as-ingested")
        {
            Description = "Measure on the 12 kHz float WAV ingest makes of the file (what the service reads, no FFmpeg) instead of the file",
        };
        var command = new Command(
            "audio", "Audio feature throughput: tracks/s on one core and on all cores (ratio to one core) and the share of time per stage.")
        {
            file, tracks, asIngested,
        };
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var result = await RunBenchAsync(parse.GetValue(file), Math.Max(1, parse.GetValue(tracks)), parse.GetValue(asIngested), ct);
            if (parse.GetValue(CliOptions.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, CliJson.Options));
                return 0;
            }

            Console.WriteLine($"file: {result.File}");
            Console.WriteLine($"one core : {result.OneCoreTracksPerSecond:0.00} tracks/s ({result.OneCoreSecondsPerTrack:0.000} s per track, {result.RealTimeFactorOneCore:0}x real time for 29.12 s clips)");
            Console.WriteLine($"all {result.Cores} cores: {result.AllCoresTracksPerSecond:0.00} tracks/s ({result.AllCoresSpeedup:0.00}x one core)");
            Console.WriteLine($"one track on all cores: {result.OneTrackAllCoresSecondsPerTrack:0.000} s per track (a single file's latency, as `vmnet features audio FILE` runs it)");
            Console.WriteLine($"baseline : {result.WholeDecodeSecondsPerTrack:0.000} s per track on one core decoding the whole file (before); centre window {result.SpeedupOverWholeDecode:0.00}x faster");
            Console.WriteLine($"cpu      : {result.OneCoreCpuSecondsPerTrack:0.000} core-s per track (user + sys, FFmpeg included) against {result.WholeDecodeCpuSecondsPerTrack:0.000} for the baseline");
            foreach (var (stage, share) in result.StageShare.OrderByDescending(p => p.Value))
            {
                Console.WriteLine($"  {stage,-18} {share,6:P1}");
            }

            return 0;
        });
        return command;
    }

    public static async Task<BenchResult> RunBenchAsync(string? file, int tracks, bool asIngested, CancellationToken ct)
    {
        var temp = Path.Combine(Path.GetTempPath(), $"vmnet-bench-audio-{Guid.NewGuid():N}");
        try
        {
            var path = file is null ? await SyntheticTrackAsync(temp, ct) : InputFiles.Existing(file);
            var name = file is null ? "synthetic 180 s" : path;
            if (asIngested)
            {
                path = await IngestPartAsync(path, temp, ct);
                name += " (as ingested: 12 kHz float WAV)";
            }

            await new MusicFeatureExtractor().FromFileAsync(path, false, DecodeTimeout, double.MaxValue, ct);

            var timer = new StageTimer();
            var oneCore = new MusicFeatureExtractor(timer);
            var cpu = CpuClock.Seconds();
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < tracks; i++)
            {
                await oneCore.FromFileAsync(path, false, DecodeTimeout, double.MaxValue, ct);
            }

            var oneSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var oneCpu = (CpuClock.Seconds() - cpu) / tracks;

            // Baseline of the same run: the whole file decoded, then cropped (the path before the centre window).
            cpu = CpuClock.Seconds();
            start = Stopwatch.GetTimestamp();
            for (var i = 0; i < tracks; i++)
            {
                new MusicFeatureExtractor().FromSamples(await FfmpegAudio.DecodeMonoAsync(path, AudioFeatureLayout.SampleRate, DecodeTimeout, ct));
            }

            var wholeSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds / tracks;
            var wholeCpu = (CpuClock.Seconds() - cpu) / tracks;

            // One track at a time on every core: what a single `vmnet features audio FILE` waits for.
            var latency = new MusicFeatureExtractor(parallel: Environment.ProcessorCount > 1);
            start = Stopwatch.GetTimestamp();
            for (var i = 0; i < tracks; i++)
            {
                await latency.FromFileAsync(path, false, DecodeTimeout, double.MaxValue, ct);
            }

            var latencySeconds = Stopwatch.GetElapsedTime(start).TotalSeconds / tracks;
            var cores = Environment.ProcessorCount;
            var all = tracks * cores;
            start = Stopwatch.GetTimestamp();
            await Parallel.ForAsync(0, all, new ParallelOptions { MaxDegreeOfParallelism = cores, CancellationToken = ct }, async (_, token) =>
                await new MusicFeatureExtractor().FromFileAsync(path, false, DecodeTimeout, double.MaxValue, token));
            var allSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

            var totals = timer.Totals;
            var sum = totals.Values.Sum(t => t.TotalSeconds);
            return new BenchResult(
                name, tracks, cores, tracks / oneSeconds, oneSeconds / tracks, all / allSeconds,
                all / allSeconds / (tracks / oneSeconds), 29.12 / (oneSeconds / tracks),
                totals.ToDictionary(p => p.Key, p => Math.Round(p.Value.TotalSeconds / sum, 4)),
                wholeSeconds, wholeSeconds / (oneSeconds / tracks), oneCpu, wholeCpu, latencySeconds);
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    // The audio part exactly as ingest writes it.
    private static async Task<string> IngestPartAsync(string source, string folder, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var part = Path.Combine(folder, "part.wav");
        var result = await ProcessRunner.RunAsync(FfmpegAudio.FfmpegProgram, FfmpegAudio.MonoArguments(source, AudioFeatureLayout.SampleRate, part, "wav"), DecodeTimeout, ct);
        return result.ExitCode == 0
            ? part
            : throw new InvalidOperationException($"ffmpeg could not make the ingest part: {FfmpegAudio.LastLine(result.StandardError)}");
    }

    // 180 s (a full-length track) of a chord, a beat-like noise burst pattern and a sweep, so every feature stage has work to do.
    private static async Task<string> SyntheticTrackAsync(string folder, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "bench.ogg");
        string[] args =
        [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "aevalsrc=0.3*sin(2*PI*220*t)+0.2*sin(2*PI*277*t)+0.2*sin(2*PI*330*t)+0.1*sin(2*PI*(200+50*t)*t):s=44100:d=180",
            "-f", "lavfi", "-i", "anoisesrc=d=180:c=pink:r=44100:a=0.3",
            "-filter_complex", "[1]volume='if(lt(mod(t,0.5),0.05),1,0.05)':eval=frame[n];[0][n]amix=inputs=2",
            "-ac", "2", "-c:a", "libvorbis", path,
        ];
        var result = await ProcessRunner.RunAsync(FfmpegAudio.FfmpegProgram, args, TimeSpan.FromMinutes(2), ct);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg could not make the benchmark track: {FfmpegAudio.LastLine(result.StandardError)}");
        }

        return path;
    }
}
