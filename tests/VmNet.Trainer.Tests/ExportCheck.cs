using VmNet.Onnx;
using VmNet.Training;

namespace VmNet.Trainer.Tests;

/// <summary>The exported ONNX model embeds as the trained TorchSharp network does.</summary>
internal static class ExportCheck
{
    public static void AssertOnnxMatches(TrainedModel model, OnnxEmbeddingModel onnx, PairSet set, double tolerance = 1e-4)
    {
        Assert.True(MaxAbsDiff(model.EmbedMusic(set.Music), onnx.EmbedMusic(set.Music)) <= tolerance);
        Assert.True(MaxAbsDiff(model.EmbedVideo(set.Video), onnx.EmbedVideo(set.Video)) <= tolerance);
    }

    public static double MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
    }
}
