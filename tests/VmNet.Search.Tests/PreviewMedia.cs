using System.Globalization;
using VmNet.Media;

namespace VmNet.Search.Tests;

/// <summary>Real media for previews: a rhythmic track written where ingest keeps a track's audio, and measurements of a rendered file.</summary>
public static class PreviewMedia
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Writes <c>media/&lt;id&gt;/audio.wav</c> as ingest does (12 kHz mono float): a plucked 220 Hz note on every beat at
    /// <paramref name="bpm"/>, louder on each bar's first beat, under a quiet drone whose level rises over the track.
    /// </summary>
    public static async Task WriteTrackAsync(string dataDir, string mediaId, double seconds, double bpm = 120)
    {
        var folder = Path.Combine(new DataDirectory(dataDir).Media, mediaId);
        Directory.CreateDirectory(folder);
        var beat = 60 / bpm;
        var expression = string.Create(CultureInfo.InvariantCulture,
            $"(0.3+0.3*lt(mod(t,{4 * beat}),{beat}))*sin(2*PI*220*t)*exp(-12*mod(t,{beat}))+0.05*(t/{seconds})*sin(2*PI*110*t)");
        string[] arguments =
        [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"aevalsrc='{expression}':s=12000:d={seconds}"),
            "-ac", "1", "-ar", "12000", "-c:a", "pcm_f32le", Path.Combine(folder, DataDirectory.AudioPartName),
        ];
        var result = await ProcessRunner.RunAsync("ffmpeg", arguments, Timeout, CancellationToken.None);
        Assert.True(result.ExitCode == 0, result.StandardError);
    }

    /// <summary>What the done-when of a preview measures: duration, an audio stream, and the level of its end against its body.</summary>
    public sealed record Measured(double DurationSeconds, bool HasAudio, bool HasVideo, double LastRms, double MedianRms);

    public static async Task<Measured> MeasureAsync(string path)
    {
        var info = await MediaProbe.ProbeAsync(path, Timeout, CancellationToken.None);
        var samples = await FfmpegAudio.DecodeMonoAsync(path, 12000, Timeout, CancellationToken.None);
        // RMS over consecutive 100 ms windows; the last window ends at the last sample.
        const int window = 1200;
        var levels = new List<double>();
        for (var end = samples.Length; end - window >= 0; end -= window)
        {
            levels.Add(Math.Sqrt(samples.AsSpan(end - window, window).ToArray().Average(v => (double)v * v)));
        }

        var sorted = levels.Order().ToList();
        return new Measured(info.DurationSeconds, info.HasAudio, info.HasVideo, levels[0], sorted[sorted.Count / 2]);
    }
}
