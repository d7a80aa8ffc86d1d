using System.Runtime.InteropServices;
using System.Text.Json;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.VideoFeatures;

/// <summary>What the cache knows of one video besides its frames.</summary>
public sealed record CachedVideo(string MediaId, MediaKind Kind, double DurationSeconds, int Frames, int Dimension, string ExtractorVersion, ColourStatistics Colour);

/// <summary>
/// Per-frame CNN features of ingested videos under <c>media/&lt;id&gt;/frames.&lt;extractorVersion&gt;.f32</c>
/// (little-endian float32, [frames × dimension]) with a JSON sidecar written last, so PCA fits and re-pooling
/// never decode a video again. A sidecar without its frames file (or the reverse), or one that does not parse, is a miss.
/// </summary>
public sealed class VideoFeatureCache(DataDirectory data)
{
    public async Task<FrameFeatures?> TryReadAsync(string mediaId, string extractorVersion, CancellationToken cancellationToken)
    {
        var info = await TryReadInfoAsync(mediaId, extractorVersion, cancellationToken);
        if (info is null)
        {
            return null;
        }

        var bytes = await File.ReadAllBytesAsync(FramesPath(mediaId, extractorVersion), cancellationToken);
        var values = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        return values.Length == info.Frames * info.Dimension
            ? new FrameFeatures(values, info.Frames, info.Dimension, info.Colour)
            : null;
    }

    public async Task<CachedVideo?> TryReadInfoAsync(string mediaId, string extractorVersion, CancellationToken cancellationToken)
    {
        var infoPath = InfoPath(mediaId, extractorVersion);
        if (!File.Exists(infoPath) || !File.Exists(FramesPath(mediaId, extractorVersion)))
        {
            return null;
        }

        try
        {
            await using var stream = File.OpenRead(infoPath);
            var info = await JsonSerializer.DeserializeAsync<CachedVideo>(stream, Json, cancellationToken);
            return info is not null && info.MediaId == mediaId && info.ExtractorVersion == extractorVersion ? info : null;
        }
        catch (JsonException)
        {
            // A torn or corrupt sidecar (a crash mid-write on a filesystem without atomic rename, a disk error) is a
            // miss: the video is extracted again and the sidecar rewritten, rather than the item failing forever.
            return null;
        }
    }

    public async Task WriteAsync(string mediaId, MediaKind kind, double durationSeconds, string extractorVersion, FrameFeatures frames, CancellationToken cancellationToken)
    {
        var framesPath = FramesPath(mediaId, extractorVersion);
        var partial = $"{framesPath}.{Guid.NewGuid():N}.partial";
        await File.WriteAllBytesAsync(partial, MemoryMarshal.AsBytes(frames.Values.AsSpan()).ToArray(), cancellationToken);
        File.Move(partial, framesPath, overwrite: true);
        var info = new CachedVideo(mediaId, kind, durationSeconds, frames.Count, frames.Dimension, extractorVersion, frames.Colour);
        var infoPath = InfoPath(mediaId, extractorVersion);
        partial = $"{infoPath}.{Guid.NewGuid():N}.partial";
        await File.WriteAllTextAsync(partial, JsonSerializer.Serialize(info, Json), cancellationToken);
        File.Move(partial, infoPath, overwrite: true);
    }

    /// <summary>Every cached video of <paramref name="extractorVersion"/>, in media-id order.</summary>
    public async IAsyncEnumerable<CachedVideo> ListAsync(string extractorVersion, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var folder in Directory.EnumerateDirectories(data.Media).Order(StringComparer.Ordinal))
        {
            var id = Path.GetFileName(folder);
            if (!MediaId.IsValid(id))
            {
                continue;
            }

            if (await TryReadInfoAsync(id, extractorVersion, cancellationToken) is { } info)
            {
                yield return info;
            }
        }
    }

    private string FramesPath(string mediaId, string extractorVersion) =>
        Path.Combine(data.MediaFolder(mediaId), $"frames.{extractorVersion}.f32");

    private string InfoPath(string mediaId, string extractorVersion) =>
        Path.Combine(data.MediaFolder(mediaId), $"frames.{extractorVersion}.json");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
