using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using VmNet.ModelFormat;

namespace VmNet.Embedder.Tests;

public sealed class BranchOnnxTests
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void OnnxRuntimeReproducesTheDirectEvaluation(bool batchNorm, bool l2)
    {
        var graph = TestModels.RandomBranch(new Random(7), inputDim: 23, hidden: [17, 11], outputDim: 6, batchNorm, l2);
        var rows = TestModels.RandomRows(new Random(8), 5, 23);

        var actual = Run(BranchOnnx.ToBytes(graph), rows, 23);

        for (var r = 0; r < rows.Length; r++)
        {
            var expected = graph.Evaluate(rows[r]);
            Assert.Equal(expected.Length, actual[r].Length);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[r][i]) <= 1e-5, $"row {r} value {i}: {expected[i]} vs {actual[r][i]}");
            }

            if (l2)
            {
                Assert.Equal(1.0, Math.Sqrt(actual[r].Sum(v => (double)v * v)), 5);
            }
        }
    }

    [Fact]
    public void BatchDimensionIsSymbolicAndNamesMatchTheManifest()
    {
        var graph = TestModels.RandomBranch(new Random(1), 4, [3], 2, batchNorm: true, l2: true);
        using var session = new InferenceSession(BranchOnnx.ToBytes(graph));
        var input = Assert.Single(session.InputMetadata);
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal(Catalogue.ModelManifest.InputName, input.Key);
        Assert.Equal(Catalogue.ModelManifest.OutputName, output.Key);
        Assert.Equal([-1, 4], input.Value.Dimensions);
        Assert.Equal([-1, 2], output.Value.Dimensions);
        Assert.Single(Run(BranchOnnx.ToBytes(graph), TestModels.RandomRows(new Random(2), 1, 4), 4));
        Assert.Equal(9, Run(BranchOnnx.ToBytes(graph), TestModels.RandomRows(new Random(2), 9, 4), 4).Length);
    }

    [Fact]
    public void ZeroStdPassesConstantFeaturesThroughAsZero()
    {
        var graph = new BranchGraph([5f, 1f], [0f, 2f], [], null, null, L2Normalize: false);
        var output = Run(BranchOnnx.ToBytes(graph), [[5f, 3f]], 2);
        Assert.Equal([0f, 1f], output[0]);
        Assert.Equal([0f, 1f], graph.Evaluate([5f, 3f]));
    }

    [Fact]
    public void InconsistentShapesAreRefusedWithTheReason()
    {
        var bad = new BranchGraph([0f, 0f], [1f, 1f], [new DenseLayer(3, 2, new float[6], new float[2], true)], null, null);
        var e = Assert.Throws<ArgumentException>(() => BranchOnnx.ToBytes(bad));
        Assert.Contains("layer 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SaveWritesAFileOnnxRuntimeLoads()
    {
        using var folder = new Testing.TempFolder("onnx");
        var graph = TestModels.RandomBranch(new Random(3), 5, [], 3, batchNorm: false, l2: true);
        var path = folder.File("branch.onnx");
        BranchOnnx.Save(graph, path);
        using var session = new InferenceSession(path);
        Assert.Equal(BranchOnnx.ToBytes(graph), File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    private static float[][] Run(byte[] model, float[][] rows, int width)
    {
        using var session = new InferenceSession(model);
        var tensor = new DenseTensor<float>(rows.SelectMany(r => r).ToArray(), [rows.Length, width]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(BranchOnnx.InputName, tensor)]);
        var output = results.Single().AsTensor<float>();
        var outWidth = output.Dimensions[1];
        return [.. Enumerable.Range(0, rows.Length).Select(r => Enumerable.Range(0, outWidth).Select(i => output[r, i]).ToArray())];
    }
}
