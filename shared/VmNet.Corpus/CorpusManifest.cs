using System.Text.Json;
using System.Text.Json.Serialization;

namespace VmNet.Corpus;

/// <summary>What a corpus item is: a music video, a video-only upload or a music-only track.</summary>
public enum CorpusItemKind
{
    Pair,
    Video,
    Music,
}

/// <summary>
/// One generated file. <see cref="Factors"/> are the hidden factors shared by both sides; <see cref="Music"/>
/// and <see cref="Video"/> are what each side was rendered from after its own noise (absent for the side a
/// single-stream item lacks).
/// </summary>
public sealed record CorpusItem(
    string Id,
    string File,
    CorpusItemKind Kind,
    int Cluster,
    string Style,
    LatentFactors Factors,
    MusicParameters? Music,
    VideoParameters? Video);

/// <summary>
/// <c>corpus.json</c>: the recipe, the styles and every item with its factors. Holds no times or absolute paths,
/// so the same recipe gives a byte-identical file.
/// </summary>
public sealed record CorpusManifest(
    string Format,
    int GeneratorVersion,
    CorpusRecipe Recipe,
    IReadOnlyList<Style> Styles,
    IReadOnlyList<CorpusItem> Items)
{
    public const string FileName = "corpus.json";
    public const string FormatName = "vmnet-corpus";

    /// <summary>Bumped whenever rendering changes, so an old corpus on disk is regenerated instead of reused.</summary>
    public const int CurrentGeneratorVersion = 1;

    internal static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The folder the manifest and its files are in (set by <see cref="Load"/> and the generator).</summary>
    [JsonIgnore]
    public string Directory { get; init; } = string.Empty;

    /// <summary>True when the generator found this corpus complete on disk and rendered nothing.</summary>
    [JsonIgnore]
    public bool Reused { get; init; }

    public IEnumerable<CorpusItem> OfKind(CorpusItemKind kind) => Items.Where(i => i.Kind == kind);

    /// <summary>The absolute path of an item's file; a manifest naming a file outside its folder is refused.</summary>
    public string PathOf(CorpusItem item) => VmNet.Media.PathGuard.Inside(Directory, item.File);

    /// <summary>Reads a manifest from its file, or from <c>corpus.json</c> in a folder.</summary>
    public static CorpusManifest Load(string path)
    {
        var file = System.IO.Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"no corpus manifest at {file}", file);
        }

        CorpusManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CorpusManifest>(File.ReadAllBytes(file), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file} is not a corpus manifest: {e.Message}", e);
        }

        if (manifest is null || manifest.Format != FormatName || manifest.Items is null || manifest.Recipe is null)
        {
            throw new InvalidDataException($"{file} is not a corpus manifest (format '{manifest?.Format}')");
        }

        return manifest with { Directory = Path.GetDirectoryName(Path.GetFullPath(file))! };
    }

    public byte[] ToJsonBytes() => [.. JsonSerializer.SerializeToUtf8Bytes(this, Json), (byte)'\n'];
}
