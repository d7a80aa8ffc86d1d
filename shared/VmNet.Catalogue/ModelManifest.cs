using System.Text.Json;
using System.Text.Json.Serialization;

namespace VmNet.Catalogue;

/// <summary>
/// <c>model.json</c> of a model folder <c>models/&lt;version&gt;/</c>. Each branch is an ONNX file with input
/// <c>features</c> [N, inputDim] (raw features; normalisation is inside the graph) and output <c>embedding</c>
/// [N, embeddingDim], L2-normalised.
/// </summary>
public sealed record ModelManifest(
    string Version,
    DateTimeOffset CreatedAt,
    int MusicInputDim,
    int VideoInputDim,
    int EmbeddingDim,
    string MusicOnnx,
    string VideoOnnx,
    IReadOnlyDictionary<string, double> Metrics,
    string? DataSnapshot = null,
    string? VideoFeatureVersion = null)
{
    public const string FileName = "model.json";
    public const string InputName = "features";
    public const string OutputName = "embedding";

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static ModelManifest Load(string folder) =>
        JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(Path.Combine(folder, FileName)), Json)
        ?? throw new InvalidDataException($"empty {FileName} in {folder}");

    public void Save(string folder)
    {
        var partial = Path.Combine(folder, FileName + ".partial");
        File.WriteAllText(partial, JsonSerializer.Serialize(this, Json));
        File.Move(partial, Path.Combine(folder, FileName), overwrite: true);
    }
}
