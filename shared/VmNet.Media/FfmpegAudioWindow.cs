using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace VmNet.Media;

/// <summary>A decoded window of a track and the length, in samples at the decoding rate, of the whole decoded track.</summary>
public sealed record AudioWindow(float[] Samples, long WindowStart, long TotalSamples);

/// <summary>
/// Decodes only the centre window of a long track, sample for sample what <see cref="FfmpegAudio.DecodeMonoAsync"/> of
/// the whole file would hold there. The whole decode's length follows from the stream's exact duration and the first
/// decoded frame's timestamp (Vorbis and AAC output priming samples before 0, which shift the centre); the seek lands on
/// an input sample whose output position is a whole sample (44.1 kHz → 12 kHz: every 147 input samples), one second
/// ahead of the window so the resampler has settled when the window starts. Anything unexpected (no exact duration,
/// a short read) falls back to decoding the whole file, and so do codecs whose decoder drops samples the timestamps do not
/// show (MP3's encoder delay and padding, AAC's priming: measured off by 471 and 227 samples at 12 kHz).
/// </summary>
public static class FfmpegAudioWindow
{
    private const double MarginSeconds = 1.0;

    /// <summary>Codecs on which the window is checked sample for sample against the whole decode (CentreWindowTests).</summary>
    private static readonly string[] ExactCodecs = ["vorbis", "flac", "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_u8"];

    public static IReadOnlyList<string> ProbeArguments(string path) =>
    [
        "-v", "error", .. MediaProbe.SafeInputOptions,
        "-select_streams", "a:0", "-show_entries", "stream=codec_name,sample_rate,time_base,start_pts,duration_ts:format=duration:frame=pts",
        "-show_frames", "-read_intervals", "%+#8", "-print_format", "json",
        "-i", Path.GetFullPath(path),
    ];

    /// <summary>
    /// The <paramref name="windowSamples"/> samples a centre crop of the whole decode takes, i.e. from
    /// (total − window) / 2; tracks not longer than the window plus two margins come back whole (WindowStart 0).
    /// </summary>
    public static async Task<AudioWindow> DecodeCentreAsync(
        string path, int sampleRate, int windowSamples, TimeSpan timeout, CancellationToken cancellationToken, double maxSeconds = double.PositiveInfinity)
    {
        if (!File.Exists(path))
        {
            throw new MediaDecodeException($"no such file: {path}");
        }

        if (FloatWav.TryReadMono(path, sampleRate) is { } wav)
        {
            return new AudioWindow(wav, 0, wav.Length);
        }

        var plan = await PlanAsync(path, sampleRate, windowSamples, timeout, cancellationToken);
        if (plan is { Seconds: var seconds } && seconds > maxSeconds)
        {
            throw new MediaDecodeException($"audio is {seconds:0} s long, more than the {maxSeconds:0} s allowed");
        }

        if (plan is { Seek: { } seek } p)
        {
            var span = ((windowSamples + (p.Skip * 2.0)) / sampleRate).ToString("0.######", CultureInfo.InvariantCulture);
            var result = await ProcessRunner.RunAsync(
                FfmpegAudio.FfmpegProgram, FfmpegAudio.MonoArguments(path, sampleRate, "pipe:1", "f32le", span, seek), timeout, cancellationToken,
                captureStdout: true, maxStdoutBytes: ((windowSamples + (4L * sampleRate)) * sizeof(float)) + 65536);
            if (result.ExitCode == 0 && result.StandardOutput.Length / sizeof(float) >= p.Skip + windowSamples)
            {
                var window = MemoryMarshal.Cast<byte, float>(result.StandardOutput.AsSpan(p.Skip * sizeof(float), windowSamples * sizeof(float))).ToArray();
                return new AudioWindow(window, p.Start, p.Total);
            }
        }

        var whole = await FfmpegAudio.DecodeMonoAsync(path, sampleRate, timeout, cancellationToken, maxSeconds);
        return new AudioWindow(whole, 0, whole.Length);
    }

    private sealed record Plan(double Seconds, string? Seek, int Skip, long Start, long Total);

    // From one ffprobe run: the duration (for the caller's limit) and, when exact figures allow, where to seek.
    private static async Task<Plan?> PlanAsync(string path, int sampleRate, int windowSamples, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var probe = await ProcessRunner.RunAsync(
            MediaProbe.FfprobeProgram, ProbeArguments(path), timeout, cancellationToken, captureStdout: true, maxStdoutBytes: MediaProbe.MaxOutputBytes);
        if (probe.ExitCode != 0)
        {
            throw new MediaDecodeException($"ffmpeg could not decode audio: {FfmpegAudio.LastLine(probe.StandardError)}");
        }

        using var document = JsonDocument.Parse(probe.StandardOutput);
        var root = document.RootElement;
        var seconds = root.TryGetProperty("format", out var format) && Number(format, "duration") is { } d ? d : double.NaN;
        if (!root.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
        {
            throw new MediaDecodeException("ffmpeg could not decode audio: the file has no audio stream");
        }

        var stream = streams[0];
        var firstPts = root.TryGetProperty("frames", out var frames) && frames.GetArrayLength() > 0 ? Number(frames[0], "pts") : null;
        if (Number(stream, "sample_rate") is not { } rate || rate < 1 || rate > 1_000_000
            || Rational(stream, "time_base") is not { } timeBase || Number(stream, "duration_ts") is not { } durationTs
            || firstPts is not { } p0
            || !(stream.TryGetProperty("codec_name", out var codec) && ExactCodecs.Contains(codec.GetString(), StringComparer.Ordinal)))
        {
            return new Plan(seconds, null, 0, 0, 0);
        }

        var startPts = Number(stream, "start_pts") ?? 0;
        var inputSamples = Math.Round((startPts + durationTs - p0) * timeBase * rate);
        var total = (long)Math.Ceiling(inputSamples * sampleRate / rate);
        var margin = (int)(MarginSeconds * sampleRate);
        if (double.IsNaN(seconds))
        {
            seconds = total / (double)sampleRate;
        }

        if (total < windowSamples + (2L * margin) + sampleRate)
        {
            return new Plan(seconds, null, 0, 0, total);
        }

        // Output sample a sits on input sample a·rate/sampleRate; `step` output samples is the smallest whole stride of both.
        var step = sampleRate / (int)GreatestCommonDivisor(sampleRate, (long)rate);
        var start = (total - windowSamples) / 2;
        var from = (start - margin) / step * step;
        var seek = ((p0 * timeBase * rate) + (from * rate / sampleRate)) / rate;
        return new Plan(seconds, seek.ToString("0.000000", CultureInfo.InvariantCulture), (int)(start - from), start, total);
    }

    private static double? Number(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        var ok = value.ValueKind == JsonValueKind.Number
            ? value.TryGetDouble(out var n)
            : double.TryParse(value.ValueKind == JsonValueKind.String ? value.GetString() : null, NumberStyles.Float, CultureInfo.InvariantCulture, out n);
        return ok && double.IsFinite(n) ? n : null;
    }

    private static double? Rational(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.GetString()?.Split('/') is not [var a, var b]
            || !long.TryParse(a, CultureInfo.InvariantCulture, out var num) || !long.TryParse(b, CultureInfo.InvariantCulture, out var den) || num <= 0 || den <= 0)
        {
            return null;
        }

        return num / (double)den;
    }

    private static long GreatestCommonDivisor(long a, long b) => b == 0 ? a : GreatestCommonDivisor(b, a % b);
}
