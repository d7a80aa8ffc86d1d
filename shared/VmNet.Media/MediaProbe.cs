using System.Globalization;
using System.Text.Json;

namespace VmNet.Media;

/// <summary>
/// What ffprobe found in a file: its streams, its duration, its title / artist / album tags (cleaned by
/// <see cref="MediaLabels.CleanTag"/>; null when the file has none), and the largest video frame (width × height) it declares.
/// </summary>
public sealed record MediaInfo(
    bool HasAudio, bool HasVideo, double DurationSeconds, string FormatName, string? Title = null, string? Artist = null, string? Album = null,
    long VideoPixels = 0);

/// <summary>
/// ffprobe run with an argument list (no command string, so no quoting a file name can break), a timeout, bounded output
/// and local protocols only: an untrusted file can neither add options nor make FFmpeg open network URLs.
/// </summary>
public static class MediaProbe
{
    public const string FfprobeProgram = "ffprobe";

    /// <summary>ffprobe's JSON for a file with a few streams is a few KB; this bounds a file that declares thousands.</summary>
    public const int MaxOutputBytes = 4 * 1024 * 1024;

    /// <summary>
    /// The demuxers untrusted media may use: plain containers and single images. Playlists and indirections (hls, concat,
    /// dash, sdp, ...) are left out: they open other files by name, and a file: URL in a playlist would read anything
    /// the process can read, whatever the upload's extension (FFmpeg detects them by content). <c>image2</c> is left out
    /// too: it expands <c>%d</c> in a file name into a numbered sequence of sibling files (<c>x%d.jpg</c> reads
    /// <c>x0.jpg</c>, <c>x1.jpg</c>, ...). A single image is still read by content (the <c>*_pipe</c> demuxers) under the
    /// fixed names ingest and clip search give their copies; a file named <c>*.jpg</c> is refused (image2 claims it by
    /// extension).
    /// </summary>
    public const string AllowedFormats =
        "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,mp3,wav,w64,ogg,flac,aac,avi,flv,mpegts,mpeg,asf,aiff,caf,amr,ac3,eac3,wv,ape,"
        + "jpeg_pipe,png_pipe,webp_pipe,bmp_pipe,gif";

    /// <summary>
    /// Input options for every FFmpeg/ffprobe run on untrusted media: only the local file and pipes (no http://, tcp://
    /// or other protocols), and only <see cref="AllowedFormats"/>.
    /// </summary>
    public static IReadOnlyList<string> SafeInputOptions { get; } = ["-protocol_whitelist", "file,pipe", "-format_whitelist", AllowedFormats];

    public static IReadOnlyList<string> Arguments(string path) =>
    [
        "-v", "error", .. SafeInputOptions,
        "-print_format", "json", "-show_format", "-show_streams",
        // An absolute path never starts with '-', so it cannot read as an option.
        "-i", Path.GetFullPath(path),
    ];

    /// <summary>Probes <paramref name="path"/>; <see cref="MediaDecodeException"/> with ffprobe's words when it is not readable media.</summary>
    public static async Task<MediaInfo> ProbeAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ProcessRunner.Result result;
        try
        {
            result = await ProcessRunner.RunAsync(FfprobeProgram, Arguments(path), timeout, cancellationToken, captureStdout: true, maxStdoutBytes: MaxOutputBytes);
        }
        catch (Exception e) when (e is TimeoutException or ProcessOutputTooLargeException)
        {
            throw new MediaDecodeException(e.Message);
        }

        if (result.ExitCode != 0)
        {
            throw new MediaDecodeException(FfmpegAudio.LastLine(result.StandardError));
        }

        try
        {
            return Parse(result.StandardOutput);
        }
        catch (JsonException)
        {
            throw new MediaDecodeException("ffprobe gave no readable description");
        }
    }

    internal static MediaInfo Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        bool audio = false, video = false;
        // Tags live on the container (mp4, mp3) or, in Ogg and some Matroska files, on a stream; the container's win.
        var tags = new List<JsonElement>();
        double streamDuration = 0;
        long pixels = 0;
        if (root.TryGetProperty("streams", out var streams) && streams.ValueKind == JsonValueKind.Array)
        {
            foreach (var stream in streams.EnumerateArray())
            {
                var type = stream.TryGetProperty("codec_type", out var t) ? t.GetString() : null;
                audio |= type == "audio";
                video |= type == "video";
                if (type == "video" && stream.TryGetProperty("width", out var w) && stream.TryGetProperty("height", out var h)
                    && w.TryGetInt64(out var width) && h.TryGetInt64(out var height))
                {
                    pixels = Math.Max(pixels, width * height);
                }
                streamDuration = Math.Max(streamDuration, Seconds(stream));
                if (stream.TryGetProperty("tags", out var streamTags) && streamTags.ValueKind == JsonValueKind.Object)
                {
                    tags.Add(streamTags);
                }
            }
        }

        var format = root.TryGetProperty("format", out var f) ? f : default;
        var formatDuration = format.ValueKind == JsonValueKind.Object ? Seconds(format) : 0;
        var name = format.ValueKind == JsonValueKind.Object && format.TryGetProperty("format_name", out var n) ? n.GetString() ?? "" : "";
        if (format.ValueKind == JsonValueKind.Object && format.TryGetProperty("tags", out var formatTags) && formatTags.ValueKind == JsonValueKind.Object)
        {
            tags.Insert(0, formatTags);
        }

        return new MediaInfo(
            audio, video, Math.Max(formatDuration, streamDuration), name,
            Tag(tags, "title"), Tag(tags, "artist") ?? Tag(tags, "album_artist"), Tag(tags, "album"), pixels);
    }

    // Tag names differ in case between containers (mp4 "title", Matroska and Vorbis "TITLE").
    private static string? Tag(List<JsonElement> tagSets, string name)
    {
        foreach (var set in tagSets)
        {
            foreach (var tag in set.EnumerateObject())
            {
                if (tag.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && tag.Value.ValueKind == JsonValueKind.String
                    && MediaLabels.CleanTag(tag.Value.GetString()) is { } value)
                {
                    return value;
                }
            }
        }

        return null;
    }

    private static double Seconds(JsonElement element) =>
        element.TryGetProperty("duration", out var d) && d.ValueKind == JsonValueKind.String
        && double.TryParse(d.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && double.IsFinite(s) && s > 0
            ? s
            : 0;
}
