namespace VmNet.Media;

/// <summary>A media id's folder as a whole: its parts, ingest's manifest and the feature caches all live in it.</summary>
public static class MediaFolders
{
    /// <summary>
    /// Deletes <c>media/&lt;id&gt;/</c> and everything in it (a takedown); true when it existed. Never creates it, and
    /// refuses an id that is not a content hash, so nothing outside that one folder can be named.
    /// </summary>
    public static bool Delete(DataDirectory data, string mediaId)
    {
        if (!MediaId.IsValid(mediaId))
        {
            throw new ArgumentException($"invalid media id '{mediaId}'", nameof(mediaId));
        }

        var folder = Path.Combine(data.Media, mediaId);
        if (!Directory.Exists(folder))
        {
            return false;
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Another role deleted it at the same time: the same outcome.
        }

        return true;
    }
}
