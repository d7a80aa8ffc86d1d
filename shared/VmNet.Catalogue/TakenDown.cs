using VmNet.Media;

namespace VmNet.Catalogue;

/// <summary>The check a feature role makes before and after its work on an item, so a takedown is never undone.</summary>
public static class TakenDown
{
    /// <summary>
    /// True when <paramref name="mediaId"/> has a tombstone. Its media folder is then deleted again: the caller may just
    /// have written a cache there after the takedown's own delete ran.
    /// </summary>
    public static async Task<bool> ForgetIfRemovedAsync(
        this IRemovalLedger removals, DataDirectory data, string mediaId, CancellationToken cancellationToken)
    {
        if (!MediaId.IsValid(mediaId) || (await removals.RemovedAmongAsync([mediaId], cancellationToken)).Count == 0)
        {
            return false;
        }

        MediaFolders.Delete(data, mediaId);
        return true;
    }
}
