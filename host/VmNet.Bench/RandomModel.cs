using VmNet.Catalogue;
using VmNet.Media;
using VmNet.ModelFormat;
using VmNet.Commands;

namespace VmNet.Bench;

/// <summary>
/// A model folder (two ONNX branches + model.json) with seeded random weights: what the trainer publishes, minus
/// the training. Embedding costs the same, so the pipeline benchmark and the tests use it to make items searchable.
/// </summary>
public static class RandomModel
{
    public static Uri Write(string dataDir, string version, int musicDim, int videoDim, int seed, int embeddingDim = 32)
    {
        var folder = Path.Combine(dataDir, "models", version);
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        BranchOnnx.Save(Branch(musicDim, embeddingDim, random), Path.Combine(folder, "music.onnx"));
        BranchOnnx.Save(Branch(videoDim, embeddingDim, random), Path.Combine(folder, "video.onnx"));
        new ModelManifest(version, DateTimeOffset.UtcNow, musicDim, videoDim, embeddingDim, "music.onnx", "video.onnx",
            new Dictionary<string, double> { ["val.R@10"] = 0 }).Save(folder);
        return DataDirectory.ToUri(folder);
    }

    private static BranchGraph Branch(int input, int output, Random random)
    {
        var weight = new float[input * output];
        for (var i = 0; i < weight.Length; i++)
        {
            weight[i] = (float)(random.NextDouble() - 0.5) / MathF.Sqrt(input);
        }

        return new BranchGraph(new float[input], Enumerable.Repeat(1f, input).ToArray(),
            [new DenseLayer(input, output, weight, new float[output], Relu: false)], null, null);
    }
}
