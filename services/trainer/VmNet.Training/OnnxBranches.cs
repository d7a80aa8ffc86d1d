using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using VmNet.Catalogue;

namespace VmNet.Training;

/// <summary>A model folder's two ONNX branches run with ONNX Runtime: how the trainer scores the live model.</summary>
public sealed class OnnxBranches : IDisposable
{
    private readonly InferenceSession _music;
    private readonly InferenceSession _video;

    public OnnxBranches(string folder)
    {
        Manifest = ModelManifest.Load(folder);
        var options = new SessionOptions { IntraOpNumThreads = Math.Max(1, Environment.ProcessorCount) };
        _music = new InferenceSession(Path.Combine(folder, Path.GetFileName(Manifest.MusicOnnx)), options);
        _video = new InferenceSession(Path.Combine(folder, Path.GetFileName(Manifest.VideoOnnx)), options);
    }

    public ModelManifest Manifest { get; }

    public float[] EmbedMusic(float[] rows) => Run(_music, rows, Manifest.MusicInputDim);

    public float[] EmbedVideo(float[] rows) => Run(_video, rows, Manifest.VideoInputDim);

    /// <summary>Recall on <paramref name="set"/>, or null when the set's feature sizes are not this model's.</summary>
    public RecallReport? Evaluate(PairSet set) =>
        set.MusicDim != Manifest.MusicInputDim || set.VideoDim != Manifest.VideoInputDim || set.Count < 2
            ? null
            : RecallAtK.Evaluate(EmbedMusic(set.Music), EmbedVideo(set.Video), Manifest.EmbeddingDim);

    public void Dispose()
    {
        _music.Dispose();
        _video.Dispose();
    }

    private static float[] Run(InferenceSession session, float[] rows, int dim)
    {
        const int block = 4096;
        var n = rows.Length / dim;
        var result = new List<float>();
        for (var start = 0; start < n; start += block)
        {
            var count = Math.Min(block, n - start);
            var input = new DenseTensor<float>(rows.AsMemory(start * dim, count * dim), [count, dim]);
            using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(ModelManifest.InputName, input)]);
            result.AddRange(outputs.First(o => o.Name == ModelManifest.OutputName).AsEnumerable<float>());
        }

        return [.. result];
    }
}
