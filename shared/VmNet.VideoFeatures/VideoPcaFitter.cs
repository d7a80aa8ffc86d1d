using MathNet.Numerics.LinearAlgebra;
using VmNet.Contracts;

namespace VmNet.VideoFeatures;

/// <summary>
/// Fits the frame-level WPCA and the video-level PCA on cached frame features (the training videos: kind=pair by
/// default), stores them as a new version and makes it current. Nothing is decoded: only the cache is read.
/// </summary>
public sealed class VideoPcaFitter(VideoFeatureCache cache, VideoPcaStore store, VideoFeatureOptions options)
{
    public async Task<VideoPca> FitAsync(string extractorVersion, IReadOnlySet<MediaKind> kinds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var videos = new List<CachedVideo>();
        await foreach (var video in cache.ListAsync(extractorVersion, cancellationToken))
        {
            if (kinds.Contains(video.Kind))
            {
                videos.Add(video);
            }
        }

        if (videos.Count < 2)
        {
            throw new InvalidOperationException(
                $"a video PCA needs at least 2 cached videos of kind {string.Join('/', kinds)} for extractor {extractorVersion}; found {videos.Count}");
        }

        var wpca = await FitWpcaAsync(videos, extractorVersion, cancellationToken);
        var pooled = new List<float[]>(videos.Count);
        foreach (var video in videos)
        {
            var frames = await ReadAsync(video, extractorVersion, cancellationToken);
            pooled.Add(StatisticsPooling.Pool(wpca.ApplyRows(frames.Values, frames.Count), frames.Count, wpca.OutputDimension));
        }

        var pca = LinearProjection.FromRows(pooled, options.PcaDimensions, whiten: false);
        return store.Save(wpca, pca, extractorVersion, videos.Sum(v => (long)v.Frames), videos.Count, now);
    }

    // The frame covariance is accumulated in blocks, so all frames of all videos never sit in memory at once.
    private async Task<LinearProjection> FitWpcaAsync(List<CachedVideo> videos, string extractorVersion, CancellationToken cancellationToken)
    {
        var d = videos[0].Dimension;
        var total = videos.Sum(v => (long)v.Frames);
        var stride = Math.Max(1, (int)Math.Ceiling(total / (double)Math.Max(1, options.MaxFitFrames)));
        var sum = new double[d];
        var scatter = Matrix<double>.Build.Dense(d, d);
        var block = new List<float[]>(256);
        long seen = 0, used = 0;

        void Flush()
        {
            if (block.Count == 0)
            {
                return;
            }

            var x = Matrix<double>.Build.Dense(block.Count, d, (i, j) => block[i][j]);
            scatter += x.TransposeThisAndMultiply(x);
            block.Clear();
        }

        foreach (var video in videos)
        {
            var frames = await ReadAsync(video, extractorVersion, cancellationToken);
            for (var i = 0; i < frames.Count; i++, seen++)
            {
                if (seen % stride != 0)
                {
                    continue;
                }

                var row = frames.Row(i).ToArray();
                for (var j = 0; j < d; j++)
                {
                    sum[j] += row[j];
                }

                block.Add(row);
                used++;
                if (block.Count == 256)
                {
                    Flush();
                }
            }
        }

        Flush();
        if (used < 2)
        {
            throw new InvalidOperationException("a WPCA needs at least two frames");
        }

        var mean = Vector<double>.Build.DenseOfArray(sum) / used;
        var covariance = (scatter - (used * mean.OuterProduct(mean))) / (used - 1);
        return LinearProjection.FromCovariance(mean.ToArray(), covariance, used, options.WpcaDimensions, whiten: true);
    }

    private async Task<FrameFeatures> ReadAsync(CachedVideo video, string extractorVersion, CancellationToken cancellationToken) =>
        await cache.TryReadAsync(video.MediaId, extractorVersion, cancellationToken)
        ?? throw new InvalidOperationException($"the cached frames of {video.MediaId} vanished during the fit");
}
