using System.Globalization;
using FFMpegCore;
using Microsoft.Extensions.Options;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.Ingest;

/// <summary>Probes a fetched file and splits it into the parts the feature workers read.</summary>
internal sealed class MediaSplitter(IOptions<IngestOptions> options)
{
    public const int AudioSampleRate = 12_000;
    public const string AudioFileName = "audio.wav";
    public const string VideoFileName = "video.mkv";

    private readonly IngestOptions _options = options.Value;

    public sealed record Parts(string? AudioPath, string? VideoPath, double DurationSeconds);

    /// <summary>Checks size, readability, streams against <paramref name="kind"/> and duration; throws <see cref="IngestRejectedException"/>.</summary>
    public async Task<IMediaAnalysis> ProbeAsync(string path, MediaKind kind, CancellationToken cancellationToken)
    {
        var length = new FileInfo(path).Length;
        if (length == 0)
        {
            throw new IngestRejectedException("empty file");
        }

        if (length > _options.MaxBytes)
        {
            throw new IngestRejectedException($"file is {length} bytes, over the {_options.MaxBytes}-byte limit");
        }

        IMediaAnalysis analysis;
        try
        {
            analysis = await FFProbe.AnalyseAsync(path, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new IngestRejectedException($"not a readable media file: {FfmpegAudio.LastLine(e.Message)}");
        }

        var hasAudio = analysis.PrimaryAudioStream is not null;
        var hasVideo = analysis.PrimaryVideoStream is not null;
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

        var duration = analysis.Duration.TotalSeconds;
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

    /// <summary>Writes the 12 kHz mono WAV and/or the stream-copied video into <paramref name="folder"/>.</summary>
    public async Task<Parts> SplitAsync(string input, IMediaAnalysis analysis, MediaKind kind, string folder, CancellationToken cancellationToken)
    {
        string? audio = null;
        string? video = null;
        if (kind != MediaKind.Video && analysis.PrimaryAudioStream is not null)
        {
            audio = Path.Combine(folder, AudioFileName);
            var partial = Partial(audio);
            await RunFfmpegAsync(FfmpegAudio.MonoArguments(input, AudioSampleRate, partial, "wav"), cancellationToken);
            File.Move(partial, audio, overwrite: true);
        }

        if (kind != MediaKind.Music && analysis.PrimaryVideoStream is not null)
        {
            video = Path.Combine(folder, VideoFileName);
            var partial = Partial(video);
            string[] args =
            [
                "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-i", input, "-map", "0:v:0", "-an", "-sn", "-dn", "-c:v", "copy", "-f", "matroska", partial,
            ];
            await RunFfmpegAsync(args, cancellationToken);
            File.Move(partial, video, overwrite: true);
        }

        return new Parts(audio, video, analysis.Duration.TotalSeconds);
    }

    // Parts are written under a unique temporary name and renamed, so a reader never sees half a file
    // and two workers splitting the same media do not write into one file.
    internal static string Partial(string path) => $"{path}.{Guid.NewGuid():N}.partial";

    private async Task RunFfmpegAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(FfmpegAudio.FfmpegProgram, arguments, _options.FfmpegTimeout, cancellationToken);
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
