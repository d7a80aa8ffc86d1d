using Microsoft.ML.OnnxRuntime;
using VmNet.Catalogue;

namespace VmNet.Search;

/// <summary>
/// A model folder's two ONNX branches run with ONNX Runtime (input <c>features</c> [N, dim], output <c>embedding</c>).
/// The default <see cref="EmbeddingModelLoader"/> of the search role; sessions are thread-safe, so one serves all queries.
/// </summary>
public sealed class OnnxEmbeddingBranches : IEmbeddingModel
{
    private readonly InferenceSession _music;
    private readonly InferenceSession _video;

    public OnnxEmbeddingBranches(string folder)
    {
        Manifest = ModelManifest.Load(folder);
        using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _music = new InferenceSession(Inside(folder, Manifest.MusicOnnx), options);
        try
        {
            _video = new InferenceSession(Inside(folder, Manifest.VideoOnnx), options);
        }
        catch
        {
            _music.Dispose();
            throw;
        }
    }

    public ModelManifest Manifest { get; }

    public float[][] EmbedMusic(IReadOnlyList<float[]> features) => Run(_music, features, Manifest.MusicInputDim);

    public float[][] EmbedVideo(IReadOnlyList<float[]> features) => Run(_video, features, Manifest.VideoInputDim);

    public void Dispose()
    {
        _music.Dispose();
        _video.Dispose();
    }

    // The manifest names files; they must stay inside the model folder.
    private static string Inside(string folder, string file) => VmNet.Media.PathGuard.Inside(folder, file);

    private float[][] Run(InferenceSession session, IReadOnlyList<float[]> rows, int dimension)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var input = new float[rows.Count * dimension];
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != dimension)
            {
                throw new ArgumentException($"row {i} has {rows[i].Length} values; model {Manifest.Version} takes {dimension}");
            }

            rows[i].CopyTo(input, i * dimension);
        }

        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [rows.Count, dimension]);
        using var run = new RunOptions();
        using var outputs = session.Run(run, [ModelManifest.InputName], [inputValue], [ModelManifest.OutputName]);
        var flat = outputs[0].GetTensorDataAsSpan<float>();
        var width = Manifest.EmbeddingDim > 0 ? Manifest.EmbeddingDim : flat.Length / rows.Count;
        var result = new float[rows.Count][];
        for (var i = 0; i < rows.Count; i++)
        {
            result[i] = flat.Slice(i * width, width).ToArray();
        }

        return result;
    }
}
