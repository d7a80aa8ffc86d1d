using Microsoft.Extensions.Options;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.Search;

/// <summary>Raw features of a media file: the same extractors the pipeline runs on ingested media.</summary>
public interface IClipFeatureExtractor
{
    /// <summary>The <paramref name="modality"/> features of the file; <see cref="MediaDecodeException"/> when it cannot be read.</summary>
    Task<float[]> ExtractAsync(Modality modality, string path, CancellationToken cancellationToken);
}

/// <summary>
/// Uploaded clips: written to a temp file in the data directory (size-limited while it arrives), checked with
/// ffprobe, run through the feature extractor, then searched like raw features. The file is deleted afterwards.
/// </summary>
internal sealed class ClipSearch(SearchEngine engine, IClipFeatureExtractor extractor, DataDirectory data, IOptions<SearchOptions> options)
{
    // Each clip holds a temp file, an FFmpeg process and its decoded samples: a fixed number at once bounds memory and disk.
    private readonly SemaphoreSlim _slots = new(Math.Max(0, options.Value.MaxConcurrentClips));

    /// <summary>Searches <paramref name="target"/> items for the clip whose bytes arrive as <paramref name="chunks"/>.</summary>
    public async Task<SearchAnswer> SearchAsync(
        Modality target, SearchQuery template, IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken)
    {
        if (!_slots.Wait(0, CancellationToken.None))
        {
            throw new SearchFailedException(
                SearchFailure.ResourceExhausted, $"{options.Value.MaxConcurrentClips} clips are being searched already; try again later");
        }

        var path = Path.Combine(data.Temp, $"clip-{Guid.NewGuid():N}.upload");
        try
        {
            await SaveAsync(path, chunks, options.Value.MaxClipBytes, cancellationToken);
            var modality = SearchEngine.QueryModality(target);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.ClipTimeout);
            await ProbeAsync(path, modality, timeout.Token);
            float[] features;
            try
            {
                features = await extractor.ExtractAsync(modality, path, timeout.Token);
            }
            catch (MediaDecodeException e)
            {
                throw new SearchFailedException(SearchFailure.InvalidArgument, $"the clip could not be decoded: {e.Message}");
            }

            return await engine.SearchAsync(template with { Target = target, MediaId = null, Features = features }, cancellationToken);
        }
        finally
        {
            File.Delete(path);
            _slots.Release();
        }
    }

    /// <summary>Writes an upload to <paramref name="path"/>, refusing it once it passes <paramref name="limit"/> bytes (and when empty).</summary>
    internal static async Task SaveAsync(string path, IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, long limit, CancellationToken cancellationToken)
    {
        long total = 0;
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        await foreach (var chunk in chunks.WithCancellation(cancellationToken))
        {
            total += chunk.Length;
            if (total > limit)
            {
                throw new SearchFailedException(SearchFailure.ResourceExhausted, $"clip larger than the limit of {limit} bytes");
            }

            await file.WriteAsync(chunk, cancellationToken);
        }

        if (total == 0)
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, "the clip is empty");
        }
    }

    // FFmpeg's own words for a file it cannot read, and a clear answer for a clip without the needed stream.
    private async Task ProbeAsync(string path, Modality modality, CancellationToken cancellationToken)
    {
        MediaInfo info;
        try
        {
            info = await MediaProbe.ProbeAsync(path, TimeSpan.FromMinutes(1), cancellationToken);
        }
        catch (MediaDecodeException e)
        {
            // ffprobe names the file: the server's temporary path is not the caller's business.
            throw new SearchFailedException(SearchFailure.InvalidArgument, $"the clip is not decodable media: {e.Message.Replace(Path.GetFullPath(path), "clip", StringComparison.Ordinal)}");
        }

        var (needed, present) = modality == Modality.Music ? ("audio", info.HasAudio) : ("video", info.HasVideo);
        if (!present)
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, $"the clip has no {needed} stream (found: {Describe(info)})");
        }

        // Refused before decoding: the duration is all it takes to know the decoded clip would be too big.
        if (modality == Modality.Music && info.DurationSeconds > options.Value.MaxClipSeconds)
        {
            throw new SearchFailedException(
                SearchFailure.ResourceExhausted, $"the clip lasts {info.DurationSeconds:0} s, over the {options.Value.MaxClipSeconds:0} s limit");
        }
    }

    internal static string Describe(MediaInfo info) => (info.HasAudio, info.HasVideo) switch
    {
        (true, true) => "audio, video",
        (true, false) => "audio",
        (false, true) => "video",
        _ => "no audio or video",
    };
}
