using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VmNet.Media;
using VmNet.AudioFeatures;
using VmNet.Commands;

namespace VmNet.Cli;

/// <summary><c>vmnet features audio FILE [--json] [--frames]</c>.</summary>
public static class AudioFeaturesCommand
{
    private static readonly TimeSpan DecodeTimeout = TimeSpan.FromMinutes(10);

    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Any audio or video file FFmpeg can read" };
        var frames = new Option<bool>("--frames") { Description = "With --json, add \"frameMatrix\" (T rows of 380 values)" };
        var command = new Command("audio", "The 1140-d VM-NET music vector of a file (mean, variance, max of 380 per-frame features).")
        {
            file, frames,
        };
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var path = InputFiles.Existing(parse.GetValue(file)!);
            var features = await new MusicFeatureExtractor().FromFileAsync(path, parse.GetValue(frames), DecodeTimeout, double.MaxValue, ct);

            await using var stdout = Console.OpenStandardOutput();
            if (parse.GetValue(CliOptions.Json))
            {
                WriteJson(stdout, features);
            }
            else
            {
                await using var writer = new StreamWriter(stdout);
                foreach (var v in features.Vector)
                {
                    await writer.WriteLineAsync(v.ToString("R", CultureInfo.InvariantCulture));
                }

                await Console.Error.WriteLineAsync(
                    $"{AudioFeatureLayout.ExtractorVersion}: {features.Frames} frames, {features.DurationSeconds:0.00} s, tempo {features.TempoBpm?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-"} BPM");
            }

            return 0;
        });
        return command;
    }

    /// <summary>Writes exactly dim, frames, vector (and frameMatrix), in that order.</summary>
    public static void WriteJson(Stream stream, MusicFeatures features)
    {
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
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
