using System.Globalization;
using VmNet.Media;

namespace VmNet.Testing;

/// <summary>Real media files made by the real ffmpeg from its lavfi sources.</summary>
public static class TestMedia
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>An H.264 + AAC MP4: a test pattern and a sine tone of <paramref name="frequency"/> Hz.</summary>
    public static Task<string> MusicVideoAsync(string path, double seconds = 3, int frequency = 440, string pattern = "testsrc2") =>
        RunAsync(path,
        [
            "-f", "lavfi", "-i", $"{pattern}=size=320x240:rate=25:duration={F(seconds)}",
            "-f", "lavfi", "-i", $"sine=frequency={frequency}:sample_rate=44100:duration={F(seconds)}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
        ]);

    /// <summary>Video only, no audio stream.</summary>
    public static Task<string> VideoOnlyAsync(string path, double seconds = 3, string pattern = "testsrc2") =>
        RunAsync(path,
        [
            "-f", "lavfi", "-i", $"{pattern}=size=320x240:rate=25:duration={F(seconds)}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        ]);

    /// <summary>Audio only (any container ffmpeg infers from the extension: .wav, .m4a, .ogg, .mp3).</summary>
    public static Task<string> AudioOnlyAsync(string path, double seconds = 3, int frequency = 440) =>
        RunAsync(path, ["-f", "lavfi", "-i", $"sine=frequency={frequency}:sample_rate=44100:duration={F(seconds)}"]);

    /// <summary>A copy of <paramref name="source"/> (streams copied, not re-encoded) whose container carries these tags.</summary>
    public static Task<string> TaggedAsync(string source, string path, IReadOnlyDictionary<string, string> tags) =>
        RunAsync(path, ["-i", source, "-map", "0", "-c", "copy", .. tags.SelectMany(t => new[] { "-metadata", $"{t.Key}={t.Value}" })]);

    private static async Task<string> RunAsync(string path, string[] arguments)
    {
        string[] all = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", .. arguments, path];
        var result = await ProcessRunner.RunAsync("ffmpeg", all, Timeout, CancellationToken.None);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed making {path}: {result.StandardError}");
        }

        return path;
    }

    private static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
