namespace VmNet.Storage;

internal sealed partial class ModalityIndex
{
    private volatile bool _holdsRemoved;

    /// <summary>
    /// Whether a takedown removed a vector since this graph was built: USearch only marks a removed entry, so its saved
    /// file could still hold the vector. Such a graph is never saved; the next start rebuilds it from the database.
    /// </summary>
    public bool HoldsRemoved => _holdsRemoved;

    /// <summary>
    /// Takes <paramref name="mediaIds"/> out of the graph and the records (a takedown); returns how many were there. The
    /// saved graph on disk is dropped like on any write, so the next start cannot load a graph that still holds them.
    /// </summary>
    public int Remove(IReadOnlyCollection<string> mediaIds)
    {
        _lock.EnterWriteLock();
        try
        {
            var removed = 0;
            foreach (var id in mediaIds)
            {
                if (!_slotOf.Remove(id, out var slot))
                {
                    continue;
                }

                ForgetSaved();
                _holdsRemoved = true;
                WithContext(() => _index.Remove((ulong)slot));
                _slots[slot] = null;
                removed++;
            }

            return removed;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }
}
