using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using VmNet.Media;

namespace VmNet.VideoFeatures;

/// <summary>What <c>video-pca.json</c> of a fitted artifact says.</summary>
public sealed record VideoPcaManifest(
    string Version,
    DateTimeOffset CreatedAt,
    string ExtractorVersion,
    int FrameDimension,
    int WpcaDimension,
    int PooledDimension,
    int OutputDimension,
    long Frames,
    int Videos);

/// <summary>
/// A fitted pair of projections: the frame-level whitened PCA and the video-level PCA (with its global mean,
/// subtracted before projecting). Stored under <c>models/video-pca/&lt;version&gt;/</c>.
/// </summary>
public sealed record VideoPca(VideoPcaManifest Manifest, LinearProjection Wpca, LinearProjection Pca)
{
    public string Version => Manifest.Version;
}

/// <summary>
/// Versioned PCA artifacts in the data directory. <c>models/video-pca/current</c> names the one in use; it is
/// replaced atomically, so a reader sees the old or the new version, never a mix.
/// </summary>
public sealed class VideoPcaStore(DataDirectory data)
{
    public const string ManifestFile = "video-pca.json";
    private const string CurrentFile = "current";
    private const string WpcaFile = "wpca.f32";
    private const string PcaFile = "pca.f32";

    private readonly Lock _gate = new();
    private VideoPca? _loaded;

    public string Root => Path.Combine(data.Models, "video-pca");

    /// <summary>The version named by <c>current</c>, or null before any fit.</summary>
    public string? CurrentVersion
    {
        get
        {
            var pointer = Path.Combine(Root, CurrentFile);
            return File.Exists(pointer) ? File.ReadAllText(pointer).Trim() : null;
        }
    }

    /// <summary>The artifact in use for <paramref name="extractorVersion"/>, or null (none fitted, or fitted on other frames).</summary>
    public VideoPca? Current(string extractorVersion)
    {
        var version = CurrentVersion;
        if (version is null)
        {
            return null;
        }

        lock (_gate)
        {
            if (_loaded?.Version != version)
            {
                _loaded = Load(version);
            }

            return _loaded.Manifest.ExtractorVersion == extractorVersion ? _loaded : null;
        }
    }

    public VideoPca Load(string version)
    {
        var folder = FolderOf(version);
        var manifest = JsonSerializer.Deserialize<VideoPcaManifest>(File.ReadAllText(Path.Combine(folder, ManifestFile)), Json)
            ?? throw new InvalidDataException($"empty {ManifestFile} in {folder}");
        var wpca = ReadProjection(Path.Combine(folder, WpcaFile), manifest.FrameDimension, manifest.WpcaDimension);
        var pca = ReadProjection(Path.Combine(folder, PcaFile), manifest.PooledDimension, manifest.OutputDimension);
        return new VideoPca(manifest, wpca, pca);
    }

    /// <summary>Writes the artifact (version = time + content hash) and makes it current.</summary>
    public VideoPca Save(LinearProjection wpca, LinearProjection pca, string extractorVersion, long frames, int videos, DateTimeOffset now)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(
            MemoryMarshal.AsBytes([.. wpca.Mean, .. wpca.Matrix, .. pca.Mean, .. pca.Matrix])))[..8];
        var version = $"{now.UtcDateTime:yyyyMMdd-HHmmss}-{hash}";
        var manifest = new VideoPcaManifest(
            version, now, extractorVersion, wpca.InputDimension, wpca.OutputDimension, pca.InputDimension, pca.OutputDimension, frames, videos);
        var folder = FolderOf(version);
        var partial = folder + ".partial";
        Directory.CreateDirectory(partial);
        WriteProjection(Path.Combine(partial, WpcaFile), wpca);
        WriteProjection(Path.Combine(partial, PcaFile), pca);
        File.WriteAllText(Path.Combine(partial, ManifestFile), JsonSerializer.Serialize(manifest, Json));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.Move(partial, folder);
        var pointer = Path.Combine(Root, CurrentFile);
        File.WriteAllText(pointer + ".partial", version);
        File.Move(pointer + ".partial", pointer, overwrite: true);
        return new VideoPca(manifest, wpca, pca);
    }

    private string FolderOf(string version)
    {
        if (string.IsNullOrWhiteSpace(version) || version.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new InvalidDataException($"invalid video PCA version '{version}'");
        }

        Directory.CreateDirectory(Root);
        return Path.Combine(Root, version);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    // Layout: mean [in] then matrix [in × out], little-endian float32.
    private static void WriteProjection(string path, LinearProjection projection)
    {
        using var file = File.Create(path);
        file.Write(MemoryMarshal.AsBytes(projection.Mean.AsSpan()));
        file.Write(MemoryMarshal.AsBytes(projection.Matrix.AsSpan()));
    }

    private static LinearProjection ReadProjection(string path, int input, int output)
    {
        var bytes = File.ReadAllBytes(path);
        var floats = MemoryMarshal.Cast<byte, float>(bytes);
        if (floats.Length != input + (input * output))
        {
            throw new InvalidDataException($"{path} holds {floats.Length} values, expected {input} + {input}×{output}");
        }

        return new LinearProjection(floats[..input].ToArray(), floats[input..].ToArray(), input, output);
    }
}
