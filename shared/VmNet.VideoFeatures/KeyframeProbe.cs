using System.Globalization;
using System.Text;
using VmNet.Media;

namespace VmNet.VideoFeatures;

/// <summary>
/// Where a video's keyframes are, from its packet headers only (ffprobe demuxes, decodes nothing: tens of
/// milliseconds for six minutes of video), to decide whether keyframes alone can serve the sampling.
/// </summary>
public static class KeyframeProbe
{
    /// <summary>One line per packet ("12.040000,K__"): 360 s at 240 frames/s is ~1.7 MB; more is not a video we sample.</summary>
    public const int MaxOutputBytes = 4 * 1024 * 1024;

    public static IReadOnlyList<string> Arguments(string path, double maxSeconds) =>
    [
        "-v", "error", .. MediaProbe.SafeInputOptions,
        "-select_streams", "v:0", "-read_intervals", "%+" + maxSeconds.ToString("0.###", CultureInfo.InvariantCulture),
        "-show_entries", "stream=codec_name:packet=pts_time,flags", "-of", "csv=p=0",
        "-i", Path.GetFullPath(path),
    ];

    /// <summary>
    /// The longest stretch of the first <paramref name="maxSeconds"/> without a keyframe (the start, the gaps between
    /// keyframes and the tail after the last one all count), or null when the packets cannot be read (the full
    /// decode then runs and reports FFmpeg's reason).
    /// </summary>
    public static async Task<double?> LongestGapAsync(string path, double maxSeconds, TimeSpan timeout, CancellationToken cancellationToken) =>
        (await ProbeAsync(path, maxSeconds, timeout, cancellationToken)).LongestGapSeconds;

    /// <summary>The longest keyframe gap and the video stream's codec; both null when the packets cannot be read.</summary>
    public static async Task<KeyframeLayout> ProbeAsync(string path, double maxSeconds, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ProcessRunner.Result result;
        try
        {
            result = await ProcessRunner.RunAsync(
                MediaProbe.FfprobeProgram, Arguments(path, maxSeconds), timeout, cancellationToken, captureStdout: true, maxStdoutBytes: MaxOutputBytes);
        }
        catch (Exception e) when (e is TimeoutException or ProcessOutputTooLargeException)
        {
            return new KeyframeLayout(null, null);
        }

        if (result.ExitCode != 0)
        {
            return new KeyframeLayout(null, null);
        }

        var output = Encoding.UTF8.GetString(result.StandardOutput);
        return new KeyframeLayout(LongestGap(output, maxSeconds), Codec(output));
    }

    /// <summary>The codec name ffprobe prints after the packets: the one line without a comma.</summary>
    public static string? Codec(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(line => !line.Contains(',', StringComparison.Ordinal) && line.Length <= 32 && line.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'));

    /// <summary>Parses ffprobe's packet lines (<c>pts_time,flags</c>); null without a keyframe.</summary>
    public static double? LongestGap(string packets, double maxSeconds)
    {
        var keyframes = new List<double>();
        double? first = null, last = null;
        foreach (var line in packets.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var comma = line.IndexOf(',', StringComparison.Ordinal);
            if (comma <= 0 || !double.TryParse(line.AsSpan(0, comma), NumberStyles.Float, CultureInfo.InvariantCulture, out var pts))
            {
                continue; // packets without a timestamp ("N/A") say nothing about spacing
            }

            first = first is null ? pts : Math.Min(first.Value, pts);
            last = last is null ? pts : Math.Max(last.Value, pts);
            if (line.AsSpan(comma + 1).StartsWith("K", StringComparison.Ordinal))
            {
                keyframes.Add(pts);
            }
        }

        if (keyframes.Count == 0 || first is null || last is null)
        {
            return null;
        }

        keyframes.Sort();
        var end = Math.Min(last.Value, first.Value + maxSeconds);
        var gap = keyframes[0] - first.Value;
        for (var i = 1; i < keyframes.Count && keyframes[i - 1] < end; i++)
        {
            gap = Math.Max(gap, Math.Min(keyframes[i], end) - keyframes[i - 1]);
        }

        return Math.Max(gap, end - keyframes.Where(k => k <= end).DefaultIfEmpty(keyframes[0]).Max());
    }
}

/// <summary>What <see cref="KeyframeProbe"/> read from a video's packet headers.</summary>
public sealed record KeyframeLayout(double? LongestGapSeconds, string? Codec);
