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
    public const string FfprobeProgram = "ffprobe";

    /// <summary>Searches <paramref name="target"/> items for the clip whose bytes arrive as <paramref name="chunks"/>.</summary>
    public async Task<SearchAnswer> SearchAsync(
        Modality target, SearchQuery template, IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken)
    {
        var path = Path.Combine(data.Temp, $"clip-{Guid.NewGuid():N}.upload");
        try
        {
            await SaveAsync(path, chunks, cancellationToken);
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
        }
    }

    private async Task SaveAsync(string path, IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxClipBytes;
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
    private static async Task ProbeAsync(string path, Modality modality, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(
            FfprobeProgram,
            ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", path],
            TimeSpan.FromMinutes(1),
            cancellationToken,
            captureStdout: true);
        var streams = System.Text.Encoding.UTF8.GetString(result.StandardOutput)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (result.ExitCode != 0 || streams.Length == 0)
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, $"the clip is not decodable media: {FfmpegAudio.LastLine(result.StandardError)}");
        }

        var needed = modality == Modality.Music ? "audio" : "video";
        if (!streams.Contains(needed, StringComparer.Ordinal))
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, $"the clip has no {needed} stream (found: {string.Join(", ", streams.Distinct())})");
        }
    }
}
