using System.Globalization;
using VmNet.Media;

namespace VmNet.Corpus;

/// <summary>
/// Encodes rendered samples and frames with the ffmpeg program. Frames stream through ffmpeg's stdin (the shared
/// <see cref="ProcessRunner"/> has no stdin); audio goes through a small raw file beside the output. One encoder
/// thread and bit-exact muxing make the files byte-identical for identical input.
/// </summary>
public static class CorpusEncoder
{
    private static readonly string[] Quiet = ["-hide_banner", "-loglevel", "error", "-y"];

    private static readonly string[] Deterministic = ["-threads", "1", "-fflags", "+bitexact", "-flags", "+bitexact", "-map_metadata", "-1"];

    private static readonly string[] VideoCodec = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "26", "-pix_fmt", "yuv420p"];

    private static readonly string[] AudioCodec = ["-c:a", "aac", "-b:a", "64k"];

    /// <summary>Writes <paramref name="output"/> (MP4) from any of audio and video; at least one must be given.</summary>
    public static async Task EncodeAsync(
        string output, float[]? audio, int sampleRate, VideoRenderer? video, int frames, int fps, int width, int height,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var audioFile = output + ".f32";
        var arguments = new List<string>(Quiet);
        if (video is not null)
        {
            arguments.AddRange(["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}", "-framerate", I(fps), "-i", "pipe:0"]);
        }

        if (audio is not null)
        {
            using (var stream = File.Create(audioFile))
            {
                stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(audio.AsSpan()));
            }

            arguments.AddRange(["-f", "f32le", "-ar", I(sampleRate), "-ac", "1", "-i", audioFile]);
        }

        if (video is not null)
        {
            arguments.AddRange(VideoCodec);
        }

        if (audio is not null)
        {
            arguments.AddRange(AudioCodec);
        }

        arguments.AddRange(Deterministic);
        arguments.AddRange(["-f", "mp4", output]);
        try
        {
            await RunAsync(arguments, video, frames, timeout, cancellationToken);
        }
        finally
        {
            File.Delete(audioFile);
        }
    }

    private static async Task RunAsync(List<string> arguments, VideoRenderer? video, int frames, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (video is null)
        {
            arguments.Insert(0, "-nostdin");
        }

        ProcessRunner.Result result;
        try
        {
            result = await ProcessRunner.RunAsync(FfmpegAudio.FfmpegProgram, arguments, timeout, cancellationToken, writeInput: video is null ? null : async (input, ct) =>
            {
                var frame = new byte[video.FrameBytes];
                for (var i = 0; i < frames; i++)
                {
                    video.RenderFrame(i, frame);
                    await input.WriteAsync(frame, ct);
                }
            });
        }
        catch (FileNotFoundException e)
        {
            throw new CorpusException(e.Message, e);
        }
        catch (TimeoutException e)
        {
            throw new CorpusException($"ffmpeg: {e.Message}", e);
        }

        if (result.ExitCode != 0)
        {
            throw new CorpusException($"ffmpeg failed ({result.ExitCode}): {FfmpegAudio.LastLine(result.StandardError)}");
        }
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Generation failed for a reason outside the options: an unwritable folder, a failing ffmpeg.</summary>
public sealed class CorpusException(string message, Exception? inner = null) : Exception(message, inner);
