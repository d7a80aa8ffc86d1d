using System.Text.RegularExpressions;
using VmNet.Media;

namespace VmNet.Ingest;

public enum SourceKind
{
    YouTube,
    Url,
    LocalPath,
}

/// <summary>What an untrusted <c>Source</c> string is. Classification only; nothing is touched here.</summary>
public static partial class IngestSource
{
    public static SourceKind Classify(string source)
    {
        if (source.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return SourceKind.Url;
        }

        return YouTubeId().IsMatch(source) ? SourceKind.YouTube : SourceKind.LocalPath;
    }

    /// <summary>
    /// The source as the catalogue keeps and shows it: a YouTube id or a URL as given (without any user:password@),
    /// a local file's name without its folder (the folder layout of the machine that ingested it is nobody's business).
    /// </summary>
    public static string Display(string source)
    {
        switch (Classify(source))
        {
            case SourceKind.Url when Uri.TryCreate(source, UriKind.Absolute, out var uri):
                var withoutUser = string.IsNullOrEmpty(uri.UserInfo) ? uri : new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
                return MediaLabels.CleanTag(withoutUser.AbsoluteUri, MediaLabels.MaxSourceLength) ?? "url";
            case SourceKind.LocalPath:
                return MediaLabels.CleanTag(Path.GetFileName(Path.TrimEndingDirectorySeparator(source))) ?? "file";
            default:
                return MediaLabels.CleanTag(source, MediaLabels.MaxSourceLength) ?? source;
        }
    }

    /// <summary>URLs that only yt-dlp can turn into a media file.</summary>
    public static bool IsYouTubeUrl(Uri uri) =>
        uri.Host is "youtube.com" or "www.youtube.com" or "m.youtube.com" or "youtu.be" or "music.youtube.com";

    /// <summary>Exactly 11 of [A-Za-z0-9_-]; a local file with such a name must be given as ./name.</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{11}$")]
    public static partial Regex YouTubeId();
}
