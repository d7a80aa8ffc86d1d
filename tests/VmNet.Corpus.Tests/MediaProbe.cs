using System.Text.Json;
using VmNet.Media;

namespace VmNet.Corpus.Tests;

/// <summary>Measures generated files with the real ffprobe/ffmpeg: streams, loudness, brightness.</summary>
internal static class MediaProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    public sealed record Streams(IReadOnlyList<string> Kinds, IReadOnlyList<string> Codecs, double Duration);

    public static async Task<Streams> StreamsAsync(string path)
    {
        var result = await ProcessRunner.RunAsync(
            "ffprobe",
            ["-v", "error", "-show_entries", "stream=codec_type,codec_name:format=duration", "-of", "json", path],
            Timeout, CancellationToken.None, captureStdout: true);
        Assert.True(result.ExitCode == 0, $"ffprobe failed on {path}: {result.StandardError}");
        using var json = JsonDocument.Parse(result.StandardOutput);
        var streams = json.RootElement.GetProperty("streams").EnumerateArray().ToList();
        return new Streams(
            streams.Select(s => s.GetProperty("codec_type").GetString()!).ToList(),
            streams.Select(s => s.GetProperty("codec_name").GetString()!).ToList(),
            double.Parse(json.RootElement.GetProperty("format").GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>RMS level of the decoded audio in dB full scale.</summary>
    public static async Task<double> RmsDbfsAsync(string path)
    {
        var samples = await FfmpegAudio.DecodeMonoAsync(path, 22_050, Timeout, CancellationToken.None);
        var power = samples.Average(s => (double)s * s);
        return 10 * Math.Log10(power);
    }

    /// <summary>Mean luma (0–255) over all decoded frames.</summary>
    public static async Task<double> MeanLumaAsync(string path)
    {
        var result = await ProcessRunner.RunAsync(
            FfmpegAudio.FfmpegProgram,
            ["-nostdin", "-hide_banner", "-loglevel", "error", "-i", path, "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"],
            Timeout, CancellationToken.None, captureStdout: true);
        Assert.True(result.ExitCode == 0, $"ffmpeg failed on {path}: {result.StandardError}");
        Assert.NotEmpty(result.StandardOutput);
        return result.StandardOutput.Average(b => (double)b);
    }

    public static string Sha256(string path) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    public static double Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var (mx, my) = (x.Average(), y.Average());
        var cov = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum();
        var sx = Math.Sqrt(x.Sum(a => (a - mx) * (a - mx)));
        var sy = Math.Sqrt(y.Sum(b => (b - my) * (b - my)));
        return cov / (sx * sy);
    }
}
