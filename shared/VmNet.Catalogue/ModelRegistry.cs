using VmNet.Media;

namespace VmNet.Catalogue;

/// <summary>
/// Model folders under <c>data/models</c>. A folder counts once its <c>model.json</c> exists (written last).
/// The live version is whatever the vector store serves; this only lists and locates folders.
/// </summary>
public sealed class ModelRegistry(DataDirectory data)
{
    public string Root => data.Models;

    public string FolderOf(string version)
    {
        if (string.IsNullOrWhiteSpace(version) || version.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || version.Contains(".."))
        {
            throw new ArgumentException($"invalid model version '{version}'", nameof(version));
        }

        return Path.Combine(Root, version);
    }

    public IReadOnlyList<ModelManifest> List() =>
        Directory.EnumerateDirectories(Root)
            .Where(d => File.Exists(Path.Combine(d, ModelManifest.FileName)))
            .Select(ModelManifest.Load)
            .OrderBy(m => m.CreatedAt)
            .ToList();

    public ModelManifest? Find(string version)
    {
        var folder = FolderOf(version);
        return File.Exists(Path.Combine(folder, ModelManifest.FileName)) ? ModelManifest.Load(folder) : null;
    }

    /// <summary>Resolves a <c>ModelPublished.Location</c> (untrusted) to a folder inside the models root.</summary>
    public string Resolve(Uri location) => PathGuard.Inside(Root, data.ResolveUri(location));
}
