using System.Security.Cryptography;
using System.Threading.Channels;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.VideoFeatures;

/// <summary>One video's vector and what produced it.</summary>
public sealed record VideoFeatureResult(
    float[] Vector,
    int Frames,
    string ExtractorVersion,
    string? PcaVersion,
    bool Whitened,
    ColourStatistics Colour,
    FrameFeatures FrameFeatures)
{
    public int Dimension => Vector.Length;

    /// <summary>Which ranges of <see cref="Vector"/> hold which statistic.</summary>
    public VideoVectorLayout Layout => VideoVectorLayout.For(Dimension, FrameFeatures.Dimension, Whitened);
}

/// <summary>
/// The video vector of the paper: frames at 1/s (first 360 s) → CNN penultimate layer → WPCA (when fitted) →
/// per-dimension mean, std, top-5 → global mean subtraction and PCA (when fitted) → L2. Usable without the bus:
/// the consumer, <c>vmnet features video</c> and search's uploads all go through <see cref="ExtractAsync"/> or
/// <see cref="Pool"/>, so they give identical vectors for identical frames.
/// </summary>
public sealed class VideoFeatureExtractor : IDisposable
{
    /// <summary>
    /// The version of the default pipeline (packaged ResNet18, 224² centre crop, 1 frame/s, 360 s, Auto sampling). v2:
    /// Auto decodes keyframes only where they are close enough, which changes the frames of those videos; features
    /// made by v1 (every frame decoded) are not mixed with them. v3: Auto skips B-frames and deblocking of the other
    /// H.264 and MPEG videos, which changes their frames too.
    /// </summary>
    public const string DefaultExtractorVersion = "resnet18-224c-1fps-360s-v3";

    /// <summary>The default pipeline with <see cref="VideoSampling.Full"/>: exactly what v1 computed, so its caches stay valid.</summary>
    public const string FullDecodeExtractorVersion = "resnet18-224c-1fps-360s-v1";

    private readonly VideoFeatureOptions _options;
    private readonly VideoPcaStore? _pcaStore;
    private readonly bool _ownsCnn;

    /// <param name="pcaStore">Where fitted PCAs live; null pools without them (unwhitened).</param>
    public VideoFeatureExtractor(VideoFeatureOptions options, VideoPcaStore? pcaStore, CnnFeaturizer? cnn = null)
    {
        _options = options;
        _pcaStore = pcaStore;
        _ownsCnn = cnn is null;
        Cnn = cnn ?? new CnnFeaturizer(options);
        Decoder = new FfmpegFrameDecoder(options.InputSize, options.FramesPerSecond, options.MaxSeconds, options.DecodeTimeout,
            options.Sampling, options.KeyframeMaxGapSeconds);
        ExtractorVersion = VersionOf(options);
    }

    public CnnFeaturizer Cnn { get; }

    /// <summary>Frames per CNN run (the configured one).</summary>
    public int BatchSize => _options.BatchSize;

    public FfmpegFrameDecoder Decoder { get; }

    /// <summary><see cref="DefaultExtractorVersion"/>, or a hash of the model files and settings when they differ.</summary>
    public string ExtractorVersion { get; }

    /// <summary>The PCA that <see cref="Pool"/> applies now, or null.</summary>
    public VideoPca? CurrentPca => _pcaStore?.Current(ExtractorVersion);

    /// <summary>Decodes, runs the CNN and pools with the current PCA. Throws <see cref="MediaDecodeException"/> for unreadable video.</summary>
    public async Task<VideoFeatureResult> ExtractAsync(string path, CancellationToken cancellationToken) =>
        Pool(await ComputeFramesAsync(path, _options.BatchSize, cancellationToken));

    /// <summary>Frame features of a video: FFmpeg decodes on its own process while batches run through the CNN.</summary>
    public Task<FrameFeatures> ComputeFramesAsync(string path, int batchSize, CancellationToken cancellationToken) =>
        ComputeFramesAsync(path, batchSize, Decoder.Sampling, cancellationToken);

    /// <summary>Frame features with an explicit <see cref="VideoSampling"/> (the benchmark compares them).</summary>
    public async Task<FrameFeatures> ComputeFramesAsync(string path, int batchSize, VideoSampling sampling, CancellationToken cancellationToken)
    {
        batchSize = Math.Max(1, batchSize);
        var frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(2 * batchSize) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var decoding = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var frame in Decoder.DecodeAsync(path, sampling, stop.Token))
                    {
                        await frames.Writer.WriteAsync(frame, stop.Token);
                    }

                    frames.Writer.Complete();
                }
                catch (Exception e)
                {
                    frames.Writer.Complete(e);
                }
            },
            CancellationToken.None);

        var values = new List<float>();
        var colour = new ColourAccumulator();
        var batch = new List<byte[]>(batchSize);
        var count = 0;
        try
        {
            await foreach (var frame in frames.Reader.ReadAllAsync(stop.Token))
            {
                colour.Add(frame);
                batch.Add(frame);
                if (batch.Count == batchSize)
                {
                    values.AddRange(Cnn.Featurize(batch));
                    count += batch.Count;
                    batch.Clear();
                }
            }
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
        }
        finally
        {
            await stop.CancelAsync();
            await decoding;
        }

        if (batch.Count > 0)
        {
            values.AddRange(Cnn.Featurize(batch));
            count += batch.Count;
        }

        return new FrameFeatures([.. values], count, Cnn.Dimension, colour.Result());
    }

    /// <summary>Pools frame features with the current PCA (if any, and fitted on this extractor's frames).</summary>
    public VideoFeatureResult Pool(FrameFeatures frames) => Pool(frames, CurrentPca, ExtractorVersion);

    /// <summary>The pooling pipeline with an explicit PCA (null: unwhitened statistics).</summary>
    public static VideoFeatureResult Pool(FrameFeatures frames, VideoPca? pca, string extractorVersion)
    {
        float[] vector;
        if (pca is null)
        {
            vector = StatisticsPooling.Pool(frames.Values, frames.Count, frames.Dimension);
        }
        else
        {
            var whitened = pca.Wpca.ApplyRows(frames.Values, frames.Count);
            var pooled = StatisticsPooling.Pool(whitened, frames.Count, pca.Wpca.OutputDimension);
            vector = pca.Pca.Apply(pooled);
        }

        return new VideoFeatureResult(
            VectorMath.L2Normalise(vector), frames.Count, extractorVersion, pca?.Version, pca is not null, frames.Colour, frames);
    }

    public void Dispose()
    {
        if (_ownsCnn)
        {
            Cnn.Dispose();
        }
    }

    private static string VersionOf(VideoFeatureOptions options)
    {
        var defaults = new VideoFeatureOptions();
        if (options.ModelPath == defaults.ModelPath && options.PreprocessModelPath == defaults.PreprocessModelPath
            && options.OutputName == defaults.OutputName && options.InputSize == defaults.InputSize
            && options.FramesPerSecond == defaults.FramesPerSecond && options.MaxSeconds == defaults.MaxSeconds)
        {
            if (options.Sampling == VideoSampling.Full)
            {
                return FullDecodeExtractorVersion;
            }

            if (options.Sampling == defaults.Sampling && options.KeyframeMaxGapSeconds == defaults.KeyframeMaxGapSeconds)
            {
                return DefaultExtractorVersion;
            }
        }

        // Another model or sampling gives other frames: a version of its own, so caches and PCAs never mix.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in new[] { options.ModelPath, options.PreprocessModelPath }.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            hash.AppendData(File.ReadAllBytes(options.Resolve(file!)));
        }

        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(string.Join('|',
            options.InputName, options.OutputName, options.InputSize, options.FramesPerSecond, options.MaxSeconds,
            string.Join(',', options.Mean), string.Join(',', options.Std))));
        if (options.Sampling != VideoSampling.Full)
        {
            // Full is what every earlier version decoded: only the other samplings change the hash, so the versions of
            // earlier non-default settings stay what they were when decoded in full.
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"|{options.Sampling}|{options.KeyframeMaxGapSeconds}")));
        }

        return $"onnx-{Convert.ToHexStringLower(hash.GetHashAndReset())[..12]}-v1";
    }
}

/// <summary>Runs the extractor for an ingested media item, reusing its cached frames when present.</summary>
public sealed class MediaVideoFeatures(VideoFeatureExtractor extractor, VideoFeatureCache cache)
{
    public async Task<VideoFeatureResult> ExtractAsync(string mediaId, MediaKind kind, string videoPath, double durationSeconds, CancellationToken cancellationToken)
    {
        var frames = await cache.TryReadAsync(mediaId, extractor.ExtractorVersion, cancellationToken);
        if (frames is null)
        {
            frames = await extractor.ComputeFramesAsync(videoPath, extractor.BatchSize, cancellationToken);
            await cache.WriteAsync(mediaId, kind, durationSeconds, extractor.ExtractorVersion, frames, cancellationToken);
        }

        return extractor.Pool(frames);
    }
}
