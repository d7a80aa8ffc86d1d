using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using VmNet.Catalogue;

namespace VmNet.Onnx;

/// <summary>
/// A model folder (<c>model.json</c> + two ONNX branches) loaded into ONNX Runtime. Inputs are embedded in batches of
/// <see cref="BatchSize"/> rows; sessions are thread-safe, so one instance serves every consumer.
/// </summary>
public sealed partial class OnnxEmbeddingModel : IEmbeddingModel
{
    public const int BatchSize = 256;

    private readonly InferenceSession _music;
    private readonly InferenceSession _video;

    private OnnxEmbeddingModel(ModelManifest manifest, InferenceSession music, InferenceSession video, string provider)
    {
        Manifest = manifest;
        _music = music;
        _video = video;
        Provider = provider;
    }

    public ModelManifest Manifest { get; }

    /// <summary>The execution provider the sessions run on: "CUDA" or "CPU".</summary>
    public string Provider { get; }

    /// <summary>Loads <paramref name="folder"/>; the branch files must lie inside it.</summary>
    public static OnnxEmbeddingModel Load(string folder, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        var manifest = ModelManifest.Load(folder);
        var (music, musicProvider) = Open(VmNet.Media.PathGuard.Inside(folder, manifest.MusicOnnx), logger);
        try
        {
            var (video, _) = Open(VmNet.Media.PathGuard.Inside(folder, manifest.VideoOnnx), logger);
            Check(music, manifest.MusicInputDim, manifest.EmbeddingDim, "music");
            Check(video, manifest.VideoInputDim, manifest.EmbeddingDim, "video");
            LogLoaded(logger, manifest.Version, musicProvider, manifest.MusicInputDim, manifest.VideoInputDim, manifest.EmbeddingDim);
            return new OnnxEmbeddingModel(manifest, music, video, musicProvider);
        }
        catch
        {
            music.Dispose();
            throw;
        }
    }

    public float[][] EmbedMusic(IReadOnlyList<float[]> features) => Embed(_music, features, Manifest.MusicInputDim);

    public float[][] EmbedVideo(IReadOnlyList<float[]> features) => Embed(_video, features, Manifest.VideoInputDim);

    public void Dispose()
    {
        _music.Dispose();
        _video.Dispose();
    }

    private float[][] Embed(InferenceSession session, IReadOnlyList<float[]> features, int width)
    {
        var result = new float[features.Count][];
        for (var start = 0; start < features.Count; start += BatchSize)
        {
            var rows = Math.Min(BatchSize, features.Count - start);
            var input = new float[rows * width];
            for (var r = 0; r < rows; r++)
            {
                var row = features[start + r];
                if (row.Length != width)
                {
                    throw new ArgumentException($"model {Manifest.Version} expects {width} features, got {row.Length}");
                }

                row.CopyTo(input, r * width);
            }

            using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(ModelManifest.InputName, new DenseTensor<float>(input, [rows, width]))]);
            var output = outputs.First(o => o.Name == ModelManifest.OutputName).AsTensor<float>();
            var dim = Manifest.EmbeddingDim;
            var flat = output.ToArray();
            for (var r = 0; r < rows; r++)
            {
                result[start + r] = flat.AsSpan(r * dim, dim).ToArray();
            }
        }

        return result;
    }

    private static (InferenceSession Session, string Provider) Open(string path, ILogger logger)
    {
        var opened = OnnxSessions.Open(path);
        if (opened.Note is not null)
        {
            LogNoCuda(logger, opened.Note);
        }

        return (opened.Session, opened.Provider);
    }

    private static void Check(InferenceSession session, int inputDim, int outputDim, string branch)
    {
        if (!session.InputMetadata.TryGetValue(ModelManifest.InputName, out var input) || input.Dimensions[^1] != inputDim
            || !session.OutputMetadata.TryGetValue(ModelManifest.OutputName, out var output) || output.Dimensions[^1] != outputDim)
        {
            throw new InvalidDataException($"{branch} branch must map '{ModelManifest.InputName}' [N, {inputDim}] to '{ModelManifest.OutputName}' [N, {outputDim}]");
        }
    }

    [LoggerMessage(4301, LogLevel.Information, "Model {Version} loaded on {Provider}: music {MusicDim} / video {VideoDim} → {EmbeddingDim}")]
    private static partial void LogLoaded(ILogger logger, string version, string provider, int musicDim, int videoDim, int embeddingDim);

    [LoggerMessage(4302, LogLevel.Information, "CUDA execution provider unavailable, using CPU: {Reason}")]
    private static partial void LogNoCuda(ILogger logger, string reason);
}
