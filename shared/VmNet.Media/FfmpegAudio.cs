using System.Runtime.InteropServices;

namespace VmNet.Media;

/// <summary>
/// Audio decoding through the ffmpeg program: any readable input to mono float PCM at a given rate.
/// Resampling uses FFmpeg's <c>aresample</c> with the SoX resampler (soxr) at 20-bit precision, the same
/// filter librosa's default <c>soxr_hq</c> uses; stereo is averaged to mono by <c>-ac 1</c>.
/// </summary>
public static class FfmpegAudio
{
    public const string FfmpegProgram = "ffmpeg";

    /// <summary>The resampling filter, shared by ingest (WAV parts) and the audio features (decoding).</summary>
    public static string ResampleFilter(int sampleRate) => $"aresample={sampleRate}:resampler=soxr:precision=20";

    /// <summary>Arguments that decode <paramref name="input"/>'s first audio stream to mono float at <paramref name="sampleRate"/>.</summary>
    public static IReadOnlyList<string> MonoArguments(string input, int sampleRate, string output, string format) =>
    [
        "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-i", input,
        "-vn", "-sn", "-dn", "-map", "0:a:0",
        "-af", ResampleFilter(sampleRate),
        "-ac", "1", "-ar", sampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-c:a", "pcm_f32le", "-f", format, output,
    ];

    /// <summary>Decodes to memory. Throws <see cref="MediaDecodeException"/> with FFmpeg's own words when it fails.</summary>
    public static async Task<float[]> DecodeMonoAsync(string path, int sampleRate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new MediaDecodeException($"no such file: {path}");
        }

        var result = await ProcessRunner.RunAsync(
            FfmpegProgram, MonoArguments(path, sampleRate, "pipe:1", "f32le"), timeout, cancellationToken, captureStdout: true);
        if (result.ExitCode != 0)
        {
            throw new MediaDecodeException($"ffmpeg could not decode audio: {LastLine(result.StandardError)}");
        }

        return MemoryMarshal.Cast<byte, float>(result.StandardOutput.AsSpan(0, result.StandardOutput.Length / 4 * 4)).ToArray();
    }

    public static string LastLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return string.IsNullOrEmpty(line) ? "no output" : line;
    }
}

/// <summary>Media that FFmpeg cannot read: corrupt, truncated, not media at all.</summary>
public sealed class MediaDecodeException(string message) : Exception(message);
