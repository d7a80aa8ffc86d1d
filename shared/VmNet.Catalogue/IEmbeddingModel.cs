namespace VmNet.Catalogue;

/// <summary>A loaded model's two branches: raw features in, L2-normalised embeddings out.</summary>
public interface IEmbeddingModel : IDisposable
{
    ModelManifest Manifest { get; }

    float[][] EmbedMusic(IReadOnlyList<float[]> features);

    float[][] EmbedVideo(IReadOnlyList<float[]> features);
}

/// <summary>Opens a model folder (ONNX Runtime in production; tests register their own).</summary>
public delegate IEmbeddingModel EmbeddingModelLoader(string folder);
