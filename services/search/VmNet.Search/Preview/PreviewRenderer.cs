using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.AudioFeatures;
using VmNet.Media;

namespace VmNet.Search.Preview;

/// <summary>Where the preview's picture comes from: a catalogue video, or an upload whose bytes arrive as chunks.</summary>
internal sealed record PreviewVideo(string? MediaId, IAsyncEnumerable<ReadOnlyMemory<byte>>? Upload)
{
    public static PreviewVideo Catalogue(string mediaId) => new(mediaId, null);

    public static PreviewVideo Uploaded(IAsyncEnumerable<ReadOnlyMemory<byte>> chunks) => new(null, chunks);
}

/// <summary>How the track was fitted, as reported with the file.</summary>
internal sealed record PreviewFacts(string TrackId, double VideoSeconds, double TrackStartSeconds, bool Looped, double? TempoBpm, long SizeBytes, double MusicSeconds);

/// <summary>A rendered MP4 in its own temp folder; disposing it deletes the folder and frees the render slot.</summary>
internal sealed class RenderedPreview(string folder, string path, PreviewFacts facts, Action release) : IDisposable
{
    public const string ContentType = "video/mp4";

    private int _disposed;

    public string Path { get; } = path;

    public PreviewFacts Facts { get; } = facts;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            PreviewRenderer.DeleteFolder(folder);
            release();
        }
    }
}

/// <summary>
/// Renders a video with a catalogue track as its soundtrack: the track's audio part (12 kHz mono, as ingest keeps it)
/// is beat-tracked and fitted to the video's length (<see cref="SoundtrackFitter"/>), then FFmpeg (argument list)
/// re-encodes the picture to H.264 (at most 1280 pixels wide) and muxes the fitted audio as AAC into an MP4.
/// Bounded: <c>Search:Preview</c> renders at once (more is RESOURCE_EXHAUSTED at once), the video's length, the
/// upload's and the output's bytes, and the time FFmpeg may take. Temp files live in one folder per render.
/// </summary>
internal sealed partial class PreviewRenderer(DataDirectory data, IOptions<SearchOptions> options, ILogger<PreviewRenderer> logger)
{
    public const int SampleRate = AudioFeatureLayout.SampleRate;

    // The longest catalogue track decoded for a preview (30 min × 12 kHz × 4 bytes = 86 MB at most).
    private const double MaxTrackSeconds = 1800;

    private readonly SemaphoreSlim _slots = new(Math.Max(0, options.Value.Preview.MaxConcurrent));

    // Beat tracking decodes a whole track (up to 86 MB of samples): as many at once as clips are decoded.
    private readonly SemaphoreSlim _beatSlots = new(Math.Max(1, options.Value.MaxConcurrentClips));

    private PreviewOptions Limits => options.Value.Preview;

    /// <summary>The catalogue audio part of <paramref name="trackId"/>; NOT_FOUND when the catalogue keeps none.</summary>
    public string TrackAudio(string trackId) => Part(trackId, DataDirectory.AudioPartName, "track");

    /// <summary>The tempo and beats of a catalogue track.</summary>
    public async Task<BeatGrid> BeatsAsync(string trackId, CancellationToken cancellationToken)
    {
        var path = TrackAudio(trackId);
        if (!_beatSlots.Wait(0, CancellationToken.None))
        {
            throw new SearchFailedException(SearchFailure.ResourceExhausted, "tracks are being beat-tracked already; try again later");
        }

        try
        {
            return BeatTracker.Track(await DecodeTrackAsync(path, cancellationToken));
        }
        finally
        {
            _beatSlots.Release();
        }
    }

    public async Task<RenderedPreview> RenderAsync(string trackId, PreviewVideo video, CancellationToken cancellationToken)
    {
        var audioPath = TrackAudio(trackId);
        var catalogueVideo = video.MediaId is { } id ? Part(id, DataDirectory.VideoPartName, "video") : null;
        if (!_slots.Wait(0, CancellationToken.None))
        {
            throw new SearchFailedException(SearchFailure.ResourceExhausted, $"{Limits.MaxConcurrent} previews are being rendered already; try again later");
        }

        var folder = Path.Combine(data.Temp, $"preview-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Limits.Timeout);
            var videoPath = catalogueVideo ?? Path.Combine(folder, "clip.upload");
            if (catalogueVideo is null)
            {
                await ClipSearch.SaveAsync(videoPath, video.Upload ?? throw new ArgumentException("no video", nameof(video)), options.Value.MaxClipBytes, timeout.Token);
            }

            var seconds = await ProbeAsync(videoPath, timeout.Token);
            var samples = await DecodeTrackAsync(audioPath, timeout.Token);
            var grid = BeatTracker.Track(samples);
            var fitted = SoundtrackFitter.Fit(samples, SampleRate, grid, seconds);
            var output = Path.Combine(folder, "preview.mp4");
            await EncodeAsync(videoPath, fitted.Samples, seconds, output, timeout.Token);
            var size = new FileInfo(output).Length;
            LogRendered(trackId, seconds, fitted.TrackStartSeconds, fitted.Looped, size);
            var facts = new PreviewFacts(trackId, seconds, fitted.TrackStartSeconds, fitted.Looped, grid.TempoBpm, size, fitted.MusicSeconds);
            return new RenderedPreview(folder, output, facts, () => _slots.Release());
        }
        catch (Exception e)
        {
            DeleteFolder(folder);
            _slots.Release();
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new SearchFailedException(SearchFailure.ResourceExhausted, $"the preview did not finish within {Limits.Timeout.TotalSeconds:0} s");
            }

            throw;
        }
    }

    internal static void DeleteFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // Another process still holds a file open; the temp folder is swept with the data directory's tmp.
        }
    }

    // A catalogue part by id, checked before anything is created: an unknown or malformed id is refused, nothing is written.
    private string Part(string mediaId, string partName, string what)
    {
        if (!MediaId.IsValid(mediaId))
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, $"{what} id must be 32 lower-case hex characters");
        }

        var path = data.ResolveInside(Path.Combine(data.Media, mediaId, partName));
        if (!File.Exists(path))
        {
            throw new SearchFailedException(SearchFailure.NotFound, $"the catalogue holds no {(what == "track" ? "audio" : "video")} for {what} {mediaId}");
        }

        return path;
    }

    private async Task<double> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        MediaInfo info;
        try
        {
            info = await MediaProbe.ProbeAsync(path, TimeSpan.FromMinutes(1), cancellationToken);
        }
        catch (MediaDecodeException e)
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, $"the clip is not decodable media: {e.Message}");
        }

        if (!info.HasVideo)
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, $"the clip has no video stream (found: {ClipSearch.Describe(info)})");
        }

        if (!(info.DurationSeconds > 0))
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, "the clip has no duration");
        }

        if (info.DurationSeconds > Limits.MaxVideoSeconds)
        {
            throw new SearchFailedException(
                SearchFailure.ResourceExhausted, $"the clip lasts {info.DurationSeconds:0} s, over the {Limits.MaxVideoSeconds:0} s preview limit");
        }

        return info.DurationSeconds;
    }

    private async Task<float[]> DecodeTrackAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var samples = await FfmpegAudio.DecodeMonoAsync(path, SampleRate, Limits.Timeout, cancellationToken, MaxTrackSeconds);
            if (samples.Length > MaxTrackSeconds * SampleRate)
            {
                throw new SearchFailedException(SearchFailure.ResourceExhausted, $"the track is longer than {MaxTrackSeconds:0} s");
            }

            return samples;
        }
        catch (MediaDecodeException e)
        {
            throw new SearchFailedException(SearchFailure.FailedPrecondition, $"the track's audio could not be decoded: {e.Message}");
        }
    }

    private async Task EncodeAsync(string video, float[] audio, double seconds, string output, CancellationToken cancellationToken)
    {
        var limit = Limits.MaxBytes;
        string[] arguments =
        [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            .. MediaProbe.SafeInputOptions, "-i", Path.GetFullPath(video),
            "-f", "f32le", "-ar", SampleRate.ToString(CultureInfo.InvariantCulture), "-ac", "1", "-i", "pipe:0",
            "-map", "0:v:0", "-map", "1:a:0", "-sn", "-dn",
            "-vf", "scale='min(1280,iw)':-2", "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "128k", "-ar", "48000",
            "-t", seconds.ToString("0.###", CultureInfo.InvariantCulture),
            "-movflags", "+faststart", "-fs", limit.ToString(CultureInfo.InvariantCulture), output,
        ];
        ProcessRunner.Result result;
        try
        {
            result = await ProcessRunner.RunAsync(
                FfmpegAudio.FfmpegProgram, arguments, Limits.Timeout, cancellationToken,
                writeInput: (stdin, ct) => stdin.WriteAsync(MemoryMarshal.AsBytes(audio.AsSpan()).ToArray(), ct).AsTask());
        }
        catch (TimeoutException e)
        {
            throw new SearchFailedException(SearchFailure.ResourceExhausted, $"the preview did not finish in time: {e.Message}");
        }

        if (result.ExitCode != 0)
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, $"ffmpeg could not render the preview: {FfmpegAudio.LastLine(result.StandardError)}");
        }

        // -fs stops writing at the limit and still exits 0: a file that reached it is cut short, so it is refused.
        if (!File.Exists(output) || new FileInfo(output).Length >= limit)
        {
            throw new SearchFailedException(SearchFailure.ResourceExhausted, $"the preview would be larger than the limit of {limit} bytes");
        }
    }

    [LoggerMessage(5060, LogLevel.Information, "Rendered a preview of track {TrackId}: {Seconds:0.00} s from {Start:0.00} s (looped: {Looped}), {Bytes} bytes")]
    private partial void LogRendered(string trackId, double seconds, double start, bool looped, long bytes);
}
