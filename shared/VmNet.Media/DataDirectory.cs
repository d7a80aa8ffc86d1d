namespace VmNet.Media;

/// <summary>
/// The one folder a node writes to: media parts, the store, models. Every path that arrives in a
/// message is resolved through here, so nothing outside it is ever read or written.
/// </summary>
public sealed class DataDirectory
{
    public DataDirectory(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    /// <summary>The audio part ingest writes for a media id: <c>media/&lt;id&gt;/audio.wav</c>.</summary>
    public const string AudioPartName = "audio.wav";

    /// <summary>The video part ingest writes for a media id: <c>media/&lt;id&gt;/video.mkv</c>.</summary>
    public const string VideoPartName = "video.mkv";

    public string Root { get; }

    public string Media => Sub("media");

    public string Models => Sub("models");

    public string Store => Sub("store");

    public string Temp => Sub("tmp");

    /// <summary>Folder for one media id's parts; the id must be a content hash.</summary>
    public string MediaFolder(string mediaId)
    {
        if (!MediaId.IsValid(mediaId))
        {
            throw new ArgumentException($"invalid media id '{mediaId}'", nameof(mediaId));
        }

        return Sub(Path.Combine("media", mediaId));
    }

    /// <summary>
    /// The URI messages carry for a local file: <c>file:///...</c>, built from the absolute URI string so that it
    /// survives JSON (which keeps a URI's original string) as a file URI.
    /// </summary>
    public static Uri ToUri(string path) => new(new Uri(Path.GetFullPath(path)).AbsoluteUri);

    /// <summary>Turns a file URI from a message into a local path, refusing anything outside the data directory.</summary>
    public string ResolveUri(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.IsAbsoluteUri && uri.IsFile)
        {
            return ResolveInside(uri.LocalPath);
        }

        // A bare absolute path, as a URI made with new Uri("/x") reads back after a JSON round trip.
        if (!uri.IsAbsoluteUri && uri.OriginalString.StartsWith('/'))
        {
            return ResolveInside(uri.OriginalString);
        }

        throw new UnsafePathException($"not a file URI: {uri}");
    }

    /// <summary>
    /// The local path of <paramref name="mediaId"/>'s part <paramref name="partName"/>, when <paramref name="uri"/> names
    /// exactly that file; anything else (another id's part, another file in the data directory) is
    /// <see cref="UnsafePathException"/>. Features are stored under the message's id, so the file read must be that id's.
    /// </summary>
    public string ResolvePart(Uri uri, string mediaId, string partName)
    {
        var path = ResolveUri(uri);
        var expected = Path.Combine(MediaFolder(mediaId), partName);
        if (!string.Equals(path, expected, StringComparison.Ordinal))
        {
            throw new UnsafePathException($"the part URI is not media/{mediaId}/{partName}");
        }

        return path;
    }

    /// <summary>A full path inside the data directory, or <see cref="UnsafePathException"/>.</summary>
    public string ResolveInside(string path) => PathGuard.Inside(Root, path);

    private string Sub(string relative)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(path);
        return path;
    }
}
