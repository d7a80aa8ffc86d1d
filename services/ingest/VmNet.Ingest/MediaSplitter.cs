using System.Globalization;
using Microsoft.Extensions.Options;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.Ingest;

/// <summary>Probes a fetched file and splits it into the parts the feature workers read.</summary>
internal sealed class MediaSplitter(IOptions<IngestOptions> options)
{
    public const int AudioSampleRate = 12_000;
    public const string AudioFileName = DataDirectory.AudioPartName;
    public const string VideoFileName = DataDirectory.VideoPartName;

    private readonly IngestOptions _options = options.Value;

    public sealed record Parts(string? AudioPath, string? VideoPath, double DurationSeconds);

    /// <summary>Checks size, readability, streams against <paramref name="kind"/> and duration; throws <see cref="IngestRejectedException"/>.</summary>
    public async Task<MediaInfo> ProbeAsync(string path, MediaKind kind, CancellationToken cancellationToken)
    {
        CheckSize(path);
        MediaInfo analysis;
        try
        {
            analysis = await MediaProbe.ProbeAsync(path, _options.FfmpegTimeout, cancellationToken);
        }
        catch (MediaDecodeException e)
        {
            // ffprobe names the file it read: ingest's private copy, whose path is nobody's business.
            throw new IngestRejectedException($"not a readable media file: {e.Message.Replace(Path.GetFullPath(path), "input", StringComparison.Ordinal)}");
        }

        var hasAudio = analysis.HasAudio;
        var hasVideo = analysis.HasVideo;
        var missing = kind switch
        {
            MediaKind.Pair when !hasAudio || !hasVideo =>
                $"kind=pair needs a video and an audio stream; the file has {Describe(hasAudio, hasVideo)}",
            MediaKind.Video when !hasVideo => $"kind=video needs a video stream; the file has {Describe(hasAudio, hasVideo)}",
            MediaKind.Music when !hasAudio => $"kind=music needs an audio stream; the file has {Describe(hasAudio, hasVideo)}",
            _ => null,
        };
        if (missing is not null)
        {
            throw new IngestRejectedException(missing);
        }

        if (kind != MediaKind.Music && analysis.VideoPixels > _options.MaxVideoPixels)
        {
            throw new IngestRejectedException(
                $"video frames of {analysis.VideoPixels} pixels are over the {_options.MaxVideoPixels}-pixel limit");
        }

        var duration = analysis.DurationSeconds;
        if (duration <= 0)
        {
            throw new IngestRejectedException("media has no duration (truncated or not media)");
        }

        if (duration > _options.MaxDurationSeconds)
        {
            throw new IngestRejectedException(
                $"media lasts {duration:0.#} s, over the {_options.MaxDurationSeconds:0.#} s limit");
        }

        return analysis;
    }

    /// <summary>Refuses an empty file or one over <c>Ingest:MaxBytes</c>; done before any hashing or probing.</summary>
    public void CheckSize(string path)
    {
        var maxBytes = _options.MaxBytes;
        var length = new FileInfo(path).Length;
        if (length == 0)
        {
            throw new IngestRejectedException("empty file");
        }

        if (length > maxBytes)
        {
            throw new IngestRejectedException($"file is {length} bytes, over the {maxBytes}-byte limit");
        }
    }

    /// <summary>Writes the 12 kHz mono WAV and/or the stream-copied video into <paramref name="folder"/>.</summary>
    public async Task<Parts> SplitAsync(string input, MediaInfo analysis, MediaKind kind, string folder, CancellationToken cancellationToken)
    {
        string? audio = null;
        string? video = null;
        // The probed duration comes from the container's headers, which the file itself writes: -t caps what is
        // actually decoded at the same limit, so a file that lies about its length still cannot fill the disk.
        var limit = _options.MaxDurationSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        if (kind != MediaKind.Video && analysis.HasAudio)
        {
            audio = Path.Combine(folder, AudioFileName);
            var partial = Partial(audio);
            await WriteAsync(FfmpegAudio.MonoArguments(input, AudioSampleRate, partial, "wav", limit), partial, audio, cancellationToken);
        }

        if (kind != MediaKind.Music && analysis.HasVideo)
        {
            video = Path.Combine(folder, VideoFileName);
            var partial = Partial(video);
            string[] args =
            [
                "-nostdin", "-hide_banner", "-loglevel", "error", "-y", .. MediaProbe.SafeInputOptions,
                "-i", Path.GetFullPath(input), "-t", limit, "-map", "0:v:0", "-an", "-sn", "-dn", "-c:v", "copy", "-f", "matroska", partial,
            ];
            await WriteAsync(args, partial, video, cancellationToken);
        }

        return new Parts(audio, video, Math.Min(analysis.DurationSeconds, _options.MaxDurationSeconds));
    }

    private async Task WriteAsync(IReadOnlyList<string> arguments, string partial, string final, CancellationToken cancellationToken)
    {
        try
        {
            await RunFfmpegAsync(arguments, cancellationToken);
            File.Move(partial, final, overwrite: true);
        }
        finally
        {
            // A failed, timed-out or cancelled split leaves no half-written part behind.
            if (File.Exists(partial))
            {
                File.Delete(partial);
            }
        }
    }

    // Parts are written under a unique temporary name and renamed, so a reader never sees half a file
    // and two workers splitting the same media do not write into one file.
    internal static string Partial(string path) => $"{path}.{Guid.NewGuid():N}.partial";

    private async Task RunFfmpegAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ProcessRunner.Result result;
        try
        {
            result = await ProcessRunner.RunAsync(FfmpegAudio.FfmpegProgram, arguments, _options.FfmpegTimeout, cancellationToken);
        }
        catch (TimeoutException e)
        {
            // The same file would time out again: a rejection, not a retried fault.
            throw new IngestRejectedException($"ffmpeg could not split the media: {e.Message}");
        }


        if (result.ExitCode != 0)
        {
            throw new IngestRejectedException(
                $"ffmpeg could not split the media (exit {result.ExitCode.ToString(CultureInfo.InvariantCulture)}): {FfmpegAudio.LastLine(result.StandardError)}");
        }
    }

    private static string Describe(bool audio, bool video) => (audio, video) switch
    {
        (true, true) => "audio and video",
        (true, false) => "audio only",
        (false, true) => "video only",
        _ => "no audio or video stream",
    };
}
