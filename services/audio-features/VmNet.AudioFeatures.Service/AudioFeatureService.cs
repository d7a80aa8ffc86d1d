using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.AudioFeatures.Service;

/// <summary>
/// One <see cref="MediaIngested"/> to its music features, without the bus. Results are kept beside the media
/// (<c>audio-features.&lt;version&gt;.json</c>), so the same message twice answers the same vector without recomputing.
/// </summary>
internal sealed partial class AudioFeatureService(
    DataDirectory data, IOptions<AudioFeaturesOptions> options, ILogger<AudioFeatureService> logger)
{
    private readonly MusicFeatureExtractor _extractor = new();

    /// <summary>The features, or <see cref="FeatureRejectedException"/> for media that cannot give any.</summary>
    public async Task<AudioFeaturesExtracted> ExtractAsync(MediaIngested message, CancellationToken cancellationToken)
    {
        if (message.AudioUri is null)
        {
            throw new FeatureRejectedException("the media has no audio part");
        }

        if (!MediaId.IsValid(message.MediaId))
        {
            throw new FeatureRejectedException($"invalid media id '{message.MediaId}'");
        }

        if (!Enum.IsDefined(message.Kind))
        {
            throw new FeatureRejectedException($"unknown kind {(int)message.Kind}");
        }

        string path;
        try
        {
            // Only this id's own part: a message naming another item's audio would store its features under this id.
            path = data.ResolvePart(message.AudioUri, message.MediaId, DataDirectory.AudioPartName);
        }
        catch (UnsafePathException e)
        {
            throw new FeatureRejectedException(e.Message);
        }

        var cache = Path.Combine(data.MediaFolder(message.MediaId), CacheName);
        var cached = await ReadCacheAsync(cache, cancellationToken);
        if (cached is not null)
        {
            LogReused(message.MediaId);
            return cached with { CorrelationId = message.CorrelationId };
        }

        MusicFeatures features;
        try
        {
            features = await _extractor.FromFileAsync(
                path, false, options.Value.DecodeTimeout, options.Value.MaxDurationSeconds, cancellationToken);
        }
        catch (Exception e) when (e is MediaDecodeException or TimeoutException)
        {
            throw new FeatureRejectedException(e.Message);
        }

        var result = new AudioFeaturesExtracted(
            message.MediaId, message.CorrelationId, [.. features.Vector], features.Frames, AudioFeatureLayout.ExtractorVersion,
            features.DurationSeconds, features.TempoBpm, DateTimeOffset.UtcNow);
        await WriteCacheAsync(cache, result, cancellationToken);
        LogExtracted(message.MediaId, features.Frames, features.TempoBpm);
        return result;
    }

    private static string CacheName => $"audio-features.{AudioFeatureLayout.ExtractorVersion.Replace('/', '-')}.json";

    private static async Task<AudioFeaturesExtracted?> ReadCacheAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            await using var stream = File.OpenRead(path);
            var cached = await JsonSerializer.DeserializeAsync<AudioFeaturesExtracted>(stream, cancellationToken: cancellationToken);
            return cached is { ExtractorVersion: AudioFeatureLayout.ExtractorVersion } && cached.Vector.Length == AudioFeatureLayout.TrackDimension
                ? cached
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task WriteCacheAsync(string path, AudioFeaturesExtracted result, CancellationToken cancellationToken)
    {
        var partial = path + $".{Guid.NewGuid():N}.partial";
        await File.WriteAllTextAsync(partial, JsonSerializer.Serialize(result), cancellationToken);
        File.Move(partial, path, overwrite: true);
    }

    [LoggerMessage(3001, LogLevel.Information, "Audio features of {MediaId}: {Frames} frames, tempo {Tempo} BPM")]
    private partial void LogExtracted(string mediaId, int frames, double? tempo);

    [LoggerMessage(3002, LogLevel.Information, "Audio features of {MediaId} were extracted before; reusing them")]
    private partial void LogReused(string mediaId);
}

/// <summary>Media that cannot give music features (no audio, undecodable, too long, outside the data directory).</summary>
internal sealed class FeatureRejectedException(string message) : Exception(message);
