using VmNet.ModelFormat;

namespace VmNet.Embedder.Tests;

/// <summary>Small real models for tests, written with <see cref="BranchOnnx"/>.</summary>
public static class TestModels
{
    public static BranchGraph RandomBranch(Random random, int inputDim, int[] hidden, int outputDim, bool batchNorm, bool l2)
    {
        var layers = new List<DenseLayer>();
        var width = inputDim;
        foreach (var next in hidden.Append(outputDim))
        {
            var scale = 1f / MathF.Sqrt(width);
            layers.Add(new DenseLayer(width, next, Values(random, width * next, scale), Values(random, next, 0.1f), Relu: next != outputDim));
            width = next;
        }

        return new BranchGraph(
            Values(random, inputDim, 1f),
            [.. Values(random, inputDim, 0.5f).Select(v => 1f + MathF.Abs(v))],
            layers,
            batchNorm ? [.. Values(random, outputDim, 0.5f).Select(v => 1f + v)] : null,
            batchNorm ? Values(random, outputDim, 0.2f) : null,
            l2);
    }

    public static float[][] RandomRows(Random random, int count, int width) =>
        [.. Enumerable.Range(0, count).Select(_ => Values(random, width, 3f))];

    private static float[] Values(Random random, int count, float scale) =>
        [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale)];
}

/// <summary>Real model folders (manifest + two ONNX branches) for the embedder's tests.</summary>
public static class TestModelFolders
{
    public const int MusicDim = 12;
    public const int VideoDim = 10;
    public const int EmbeddingDim = 8;

    /// <summary>Writes <c>models/{version}</c> under <paramref name="modelsRoot"/> and returns the folder.</summary>
    public static string Write(string modelsRoot, string version, int seed, int musicDim = MusicDim)
    {
        var folder = Path.Combine(modelsRoot, version);
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        BranchOnnx.Save(TestModels.RandomBranch(random, musicDim, [16], EmbeddingDim, batchNorm: true, l2: true), Path.Combine(folder, "music.onnx"));
        BranchOnnx.Save(TestModels.RandomBranch(random, VideoDim, [], EmbeddingDim, batchNorm: true, l2: true), Path.Combine(folder, "video.onnx"));
        new Catalogue.ModelManifest(version, DateTimeOffset.UtcNow, musicDim, VideoDim, EmbeddingDim, "music.onnx", "video.onnx",
            new Dictionary<string, double> { ["val.R@10"] = 0.5 }).Save(folder);
        return folder;
    }
}
