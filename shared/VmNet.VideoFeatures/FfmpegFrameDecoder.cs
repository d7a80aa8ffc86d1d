using System.Globalization;
using System.Runtime.CompilerServices;
using VmNet.Media;

namespace VmNet.VideoFeatures;

/// <summary>
/// Decodes a video to square rgb24 frames at a fixed rate with one FFmpeg pipe (<c>fps</c>, then scale to cover
/// the square and centre-crop, as ImageNet models were trained). Chosen over OpenCV because it was faster on every
/// video tried (figures: services/video-features/README.md; <c>vmnet bench video</c> measures it here).
/// With <see cref="VideoSampling.Auto"/>, a video whose keyframes are at most <paramref name="keyframeMaxGapSeconds"/>
/// apart is decoded from its keyframes only: decoding every frame was most of the cost of 1 frame/s sampling.
/// </summary>
public sealed class FfmpegFrameDecoder(
    int size, double framesPerSecond, double maxSeconds, TimeSpan timeout,
    VideoSampling sampling = VideoSampling.Full, double keyframeMaxGapSeconds = 1)
{
    public int Size => size;

    public VideoSampling Sampling => sampling;

    public int FrameBytes => size * size * 3;

    /// <summary>The most frames one video yields.</summary>
    public int MaxFrames => (int)Math.Ceiling(maxSeconds * framesPerSecond);

    public IReadOnlyList<string> Arguments(string path, bool firstFrameOnly = false, VideoSampling decode = VideoSampling.Full)
    {
        var crop = $"scale={size}:{size}:force_original_aspect_ratio=increase,crop={size}:{size}";
        var keyframesOnly = decode == VideoSampling.Keyframes;
        return
        [
            "-nostdin", "-hide_banner", "-loglevel", "error", .. MediaProbe.SafeInputOptions,
            .. decode switch
            {
                VideoSampling.Keyframes => (string[])["-skip_frame", "nokey"],
                VideoSampling.NoBFrames => ["-skip_frame", "bidir", "-skip_loop_filter", "all"],
                _ => [],
            },
            "-t", F(maxSeconds), "-i", Path.GetFullPath(path),
            "-map", "0:v:0", "-an", "-sn", "-dn",
            .. firstFrameOnly ? (string[])["-vf", crop, "-frames:v", "1"]
                // Keyframes only: the last keyframe also fills the last tick (the full decode has frames up to the end).
                : keyframesOnly ? ["-vf", $"fps={F(framesPerSecond)}:eof_action=pass,{crop}"]
                : ["-vf", $"fps={F(framesPerSecond)},{crop}"],
            "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1",
        ];
    }

    /// <summary>
    /// The frames in order, each <see cref="FrameBytes"/> bytes (a fresh array per frame). A video shorter than one
    /// frame interval still yields its first frame. Throws <see cref="MediaDecodeException"/> with FFmpeg's reason.
    /// </summary>
    public IAsyncEnumerable<byte[]> DecodeAsync(string path, CancellationToken cancellationToken) =>
        DecodeAsync(path, sampling, cancellationToken);

    /// <summary>The frames with an explicit <see cref="VideoSampling"/> (the benchmark compares them).</summary>
    public async IAsyncEnumerable<byte[]> DecodeAsync(string path, VideoSampling how, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new MediaDecodeException($"no such file: {path}");
        }

        var decode = await ChooseAsync(path, how, cancellationToken);
        var count = 0;
        await foreach (var frame in RunAsync(path, firstFrameOnly: false, decode, cancellationToken))
        {
            count++;
            yield return frame;
        }

        if (count == 0)
        {
            // The fps filter emits nothing for clips shorter than half a frame interval.
            await foreach (var frame in RunAsync(path, firstFrameOnly: true, VideoSampling.Full, cancellationToken))
            {
                count++;
                yield return frame;
            }
        }

        if (count == 0)
        {
            throw new MediaDecodeException("the video stream has no decodable frame");
        }
    }

    /// <summary>
    /// What <paramref name="how"/> means for this video: <see cref="VideoSampling.Auto"/> probes its keyframes and
    /// codec. Keyframes only when they are close enough; otherwise <see cref="VideoSampling.NoBFrames"/> for the codecs
    /// whose B-frames no P-frame is predicted from (<see cref="BFramesSkippable"/>), every frame for the rest.
    /// </summary>
    public async Task<VideoSampling> ChooseAsync(string path, VideoSampling how, CancellationToken cancellationToken)
    {
        if (how != VideoSampling.Auto)
        {
            return how;
        }

        return Choose(await KeyframeProbe.ProbeAsync(path, maxSeconds, timeout, cancellationToken));
    }

    /// <summary>What <see cref="VideoSampling.Auto"/> decodes for a video whose packet headers read as <paramref name="layout"/>.</summary>
    public VideoSampling Choose(KeyframeLayout layout) =>
        layout.LongestGapSeconds is { } g && g <= keyframeMaxGapSeconds + 1e-3 ? VideoSampling.Keyframes
        : layout.LongestGapSeconds is not null && layout.Codec is { } codec && BFramesSkippable.Contains(codec) ? VideoSampling.NoBFrames
        : VideoSampling.Full;

    /// <summary>
    /// Codecs (FFmpeg's names) where skipping B-frames leaves every I- and P-frame intact. MPEG-1/2 and MPEG-4 Part 2
    /// never predict from a B-frame; H.264 may, but x264 (FFmpeg's encoder, and most uploads) predicts P-frames only
    /// from I- and P-frames. HEVC does predict P-frames from B-frames (decoding without them damages the picture),
    /// and VP8/VP9/AV1 have no B-frames to skip: those are decoded in full.
    /// </summary>
    public static readonly IReadOnlySet<string> BFramesSkippable = new HashSet<string>(StringComparer.Ordinal) { "h264", "mpeg4", "mpeg2video", "mpeg1video" };

    private async IAsyncEnumerable<byte[]> RunAsync(
        string path, bool firstFrameOnly, VideoSampling decode, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        await using var process = StreamingProcess.Start(FfmpegAudio.FfmpegProgram, Arguments(path, firstFrameOnly, decode));
        var stdout = process.StandardOutput;
        var produced = 0;
        while (produced < MaxFrames)
        {
            var frame = new byte[FrameBytes];
            int read;
            try
            {
                read = await stdout.ReadAtLeastAsync(frame, frame.Length, throwOnEndOfStream: false, timeoutCts.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"ffmpeg did not decode {Path.GetFileName(path)} within {timeout.TotalSeconds:0} s");
            }

            if (read < frame.Length)
            {
                break;
            }

            produced++;
            yield return frame;
        }

        if (produced == MaxFrames)
        {
            // Enough frames: stop FFmpeg instead of waiting for the rest (disposal kills it).
            yield break;
        }

        var (exitCode, stderr) = await process.WaitAsync(timeoutCts.Token);
        if (exitCode != 0)
        {
            throw new MediaDecodeException($"ffmpeg could not decode the video (exit {exitCode.ToString(CultureInfo.InvariantCulture)}): {FfmpegAudio.LastLine(stderr)}");
        }
    }

    private static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
