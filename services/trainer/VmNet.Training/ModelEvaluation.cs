using VmNet.Catalogue;

namespace VmNet.Training;

/// <summary>Recall@K of an exported model (run by ONNX Runtime, as the embedder runs it) on a split of pairs.</summary>
public static class ModelEvaluation
{
    /// <summary>Recall on <paramref name="set"/>, or null when the set's feature sizes are not the model's.</summary>
    public static RecallReport? Evaluate(this IEmbeddingModel model, PairSet set)
    {
        var manifest = model.Manifest;
        return set.MusicDim != manifest.MusicInputDim || set.VideoDim != manifest.VideoInputDim || set.Count < 2
            ? null
            : RecallAtK.Evaluate(EmbedMusic(model, set.Music), EmbedVideo(model, set.Video), manifest.EmbeddingDim);
    }

    /// <summary>Row-major embeddings of row-major music features.</summary>
    public static float[] EmbedMusic(this IEmbeddingModel model, float[] rows) =>
        Flatten(model.EmbedMusic(Rows(rows, model.Manifest.MusicInputDim)));

    /// <summary>Row-major embeddings of row-major video features.</summary>
    public static float[] EmbedVideo(this IEmbeddingModel model, float[] rows) =>
        Flatten(model.EmbedVideo(Rows(rows, model.Manifest.VideoInputDim)));

    private static float[][] Rows(float[] flat, int dim) =>
        [.. Enumerable.Range(0, flat.Length / dim).Select(r => flat.AsSpan(r * dim, dim).ToArray())];

    private static float[] Flatten(float[][] rows) => [.. rows.SelectMany(r => r)];
}
