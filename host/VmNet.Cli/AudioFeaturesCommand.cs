using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using VmNet.Media;
using VmNet.AudioFeatures;
using VmNet.Commands;

namespace VmNet.Cli;

/// <summary>
/// <c>vmnet features audio FILE… [--json] [--frames]</c>. Several files are one process (start-up and JIT paid once) and run
/// on all cores; with <c>--json</c> each file gives one JSON line on stdout, in the order given, and each failure one
/// <c>vmnet: …</c> line on stderr; the exit code is 1 when any file failed.
/// </summary>
public static class AudioFeaturesCommand
{
    private static readonly TimeSpan DecodeTimeout = TimeSpan.FromMinutes(10);

    public static Command Create()
    {
        var files = new Argument<string[]>("file") { Description = "Audio or video files FFmpeg can read (several need --json)", Arity = ArgumentArity.OneOrMore };
        // Many files take every token, unknown options too: those stay parse errors (a file named -x is ./-x).
        files.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.StartsWith('-')))
            {
                result.AddError($"Unrecognized command or argument '{token.Value}'.");
            }
        });
        var frames = new Option<bool>("--frames") { Description = "With --json, add \"frameMatrix\" (T rows of 380 values)" };
        var command = new Command("audio", "The 1140-d VM-NET music vector of each file (mean, variance, max of 380 per-frame features).")
        {
            files, frames,
        };
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var paths = parse.GetValue(files)!;
            var json = parse.GetValue(CliOptions.Json);
            // Compiled while FFmpeg decodes the first file; not awaited (the extraction compiles what it reaches first itself).
            _ = MusicFeatureExtractor.PrepareAsync();
            if (paths.Length > 1 && !json)
            {
                throw new UsageException("several files need --json (one JSON line per file)");
            }

            if (!json)
            {
                var features = await ExtractAsync(InputFiles.Existing(paths[0]), false, ct, parallel: true);
                await using var stdout = Console.OpenStandardOutput();
                await using var writer = new StreamWriter(stdout);
                foreach (var v in features.Vector)
                {
                    await writer.WriteLineAsync(v.ToString("R", CultureInfo.InvariantCulture));
                }

                await Console.Error.WriteLineAsync(
                    $"{AudioFeatureLayout.ExtractorVersion}: {features.Frames} frames, {features.DurationSeconds:0.00} s, tempo {features.TempoBpm?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-"} BPM");
                return 0;
            }

            if (paths.Length == 1)
            {
                // One file: its failure is the command's (one line, exit 1), as for every other command.
                var features = await ExtractAsync(InputFiles.Existing(paths[0]), parse.GetValue(frames), ct, parallel: true);
                await using var stdout = Console.OpenStandardOutput();
                WriteJson(stdout, paths[0], features);
                return 0;
            }

            return await ExtractAllAsync(paths, parse.GetValue(frames), ct) ? 0 : 1;
        });
        return command;
    }

    // One file: its latency, so the track takes two cores; many: one track per core, which wastes no time on hand-offs.
    private static Task<MusicFeatures> ExtractAsync(string path, bool keepFrames, CancellationToken ct, bool parallel = false) =>
        new MusicFeatureExtractor(parallel: parallel && Environment.ProcessorCount > 1).FromFileAsync(path, keepFrames, DecodeTimeout, double.MaxValue, ct);

    // One extraction per core; lines are printed in the order given, so at most 2 × cores results wait in memory.
    private static async Task<bool> ExtractAllAsync(string[] paths, bool keepFrames, CancellationToken ct)
    {
        var cores = Environment.ProcessorCount;
        using var gate = new SemaphoreSlim(cores, cores);
        var pending = new Queue<(string Path, Task<MusicFeatures> Work)>();
        var ok = true;
        await using var stdout = Console.OpenStandardOutput();

        async Task PrintOldestAsync()
        {
            var (path, work) = pending.Dequeue();
            try
            {
                WriteJson(stdout, path, await work);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ok = false;
                await Console.Error.WriteLineAsync(e is FileNotFoundException ? $"vmnet: {e.Message}" : $"vmnet: {path}: {e.Message}");
            }
        }

        foreach (var path in paths)
        {
            await gate.WaitAsync(ct);
            pending.Enqueue((path, Task.Run(async () =>
            {
                try
                {
                    return await ExtractAsync(InputFiles.Existing(path), keepFrames, ct);
                }
                finally
                {
                    gate.Release();
                }
            }, ct)));
            while (pending.Count > 2 * cores || (pending.Count > 0 && pending.Peek().Work.IsCompleted))
            {
                await PrintOldestAsync();
            }
        }

        while (pending.Count > 0)
        {
            await PrintOldestAsync();
        }

        return ok;
    }

    /// <summary>Writes exactly file (as given), dim, frames, vector (and frameMatrix), in that order, on one line.</summary>
    public static void WriteJson(Stream stream, string file, MusicFeatures features)
    {
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteString("file", file);
        writer.WriteNumber("dim", features.Vector.Length);
        writer.WriteNumber("frames", features.Frames);
        writer.WriteStartArray("vector");
        foreach (var v in features.Vector)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
        if (features.FrameMatrix is { } matrix)
        {
            writer.WriteStartArray("frameMatrix");
            for (var t = 0; t < features.Frames; t++)
            {
                writer.WriteStartArray();
                foreach (var v in matrix.AsSpan(t * AudioFeatureLayout.PerFrame, AudioFeatureLayout.PerFrame))
                {
                    writer.WriteNumberValue(v);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.Flush();
        stream.WriteByte((byte)'\n');
    }
}
