using System.Reflection;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;
using VmNet.Catalogue;

namespace VmNet.VectorStore;

/// <summary>
/// One modality of one generation in memory: a USearch HNSW graph over unit vectors plus the records (payload and
/// vector) by key, which also serve exact search. Writers take the write lock, queries the read lock, so a query
/// never sees a half-applied batch. Large batches are inserted in parallel across cores.
/// </summary>
internal sealed partial class ModalityIndex : IDisposable
{
    private const int ParallelThreshold = 256;
    private static readonly FieldInfo? HandleField = typeof(USearchIndex).GetField("_index", BindingFlags.NonPublic | BindingFlags.Instance);

    // USearch serves each call from a fixed pool of thread contexts (one per hardware thread) and fails rather
    // than waits when it is empty, so every call into the index holds one of these permits.
    private static readonly int Contexts = Environment.ProcessorCount;
    private readonly SemaphoreSlim _contexts = new(Contexts, Contexts);
    private readonly USearchIndex _index;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, int> _slotOf = new(StringComparer.Ordinal);
    private readonly List<VectorRecord?> _slots = [];

    public ModalityIndex(int dimension, VectorStoreOptions options)
    {
        Dimension = dimension;
        _index = new USearchIndex(MetricKind.Cos, ScalarKind.Float32, (ulong)dimension, (ulong)options.Connectivity, (ulong)options.ExpansionAdd, (ulong)options.ExpansionSearch);
    }

    public int Dimension { get; }

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _slotOf.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Adds or replaces records whose vectors are already unit length and of the right width.</summary>
    public void Upsert(IReadOnlyList<VectorRecord> records)
    {
        _lock.EnterWriteLock();
        try
        {
            var adds = new List<(ulong Key, float[] Vector)>(records.Count);
            foreach (var record in records)
            {
                if (_slotOf.TryGetValue(record.MediaId, out var old))
                {
                    if (_slots[old] is { } existing && existing.Vector.AsSpan().SequenceEqual(record.Vector))
                    {
                        _slots[old] = record;
                        continue;
                    }

                    // A replaced vector gets a new key, so HNSW never holds two vectors under one key.
                    if (!adds.Remove(adds.Find(a => a.Key == (ulong)old)))
                    {
                        WithContext(() => _index.Remove((ulong)old));
                    }

                    _slots[old] = null;
                }

                var slot = _slots.Count;
                _slots.Add(record);
                _slotOf[record.MediaId] = slot;
                adds.Add(((ulong)slot, record.Vector));
            }

            if (adds.Count >= ParallelThreshold && TryReserve(_index.Size() + (ulong)adds.Count))
            {
                Parallel.ForEach(adds, new ParallelOptions { MaxDegreeOfParallelism = Contexts }, a => WithContext(() => _index.Add(a.Key, a.Vector)));
            }
            else
            {
                foreach (var (key, vector) in adds)
                {
                    WithContext(() => _index.Add(key, vector));
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public float[]? Get(string mediaId)
    {
        _lock.EnterReadLock();
        try
        {
            return _slotOf.TryGetValue(mediaId, out var slot) ? _slots[slot]?.Vector.ToArray() : null;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public List<VectorHit> Search(float[] unitQuery, int k, SearchFilter? filter)
    {
        _lock.EnterReadLock();
        try
        {
            var count = _slotOf.Count;
            if (count == 0 || k <= 0)
            {
                return [];
            }

            // Filters are applied to an oversampled ANN answer; when that leaves too few, the exact scan answers.
            var wanted = filter is null ? Math.Min(k, count) : Math.Min(count, Math.Max(k * 8, 64));
            ulong[] keys = [];
            float[] distances = [];
            var found = WithContext(() => _index.Search(unitQuery, wanted, out keys, out distances));
            var hits = new List<VectorHit>(found);
            for (var i = 0; i < found && hits.Count < k; i++)
            {
                if (_slots[(int)keys[i]] is { } record && VectorMath.Matches(filter, record))
                {
                    hits.Add(new VectorHit(record.MediaId, 1f - distances[i]));
                }
            }

            return hits.Count < Math.Min(k, count) && (filter is not null || found < wanted)
                ? VectorMath.ExactTopK(Live(), unitQuery, k, filter)
                : VectorMath.Ordered(hits);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public List<VectorHit> SearchExact(float[] unitQuery, int k, SearchFilter? filter)
    {
        _lock.EnterReadLock();
        try
        {
            return VectorMath.ExactTopK(Live(), unitQuery, k, filter);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose()
    {
        _index.Dispose();
        _lock.Dispose();
        _contexts.Dispose();
    }

    private T WithContext<T>(Func<T> call)
    {
        _contexts.Wait();
        try
        {
            return call();
        }
        finally
        {
            _contexts.Release();
        }
    }

    private void WithContext(Action call) => WithContext(() =>
    {
        call();
        return true;
    });

    private IEnumerable<VectorRecord> Live() => _slots.Where(s => s is not null)!;

    // Cloud.Unum.USearch 2.26 grows capacity inside Add, which is not safe from several threads; reserving the
    // whole batch first makes concurrent Add calls safe (USearch's own contract). The managed wrapper keeps the
    // native handle private, hence the reflection; without it the batch is inserted on one thread.
    private bool TryReserve(ulong capacity)
    {
        if (HandleField?.GetValue(_index) is not IntPtr handle || handle == IntPtr.Zero)
        {
            return false;
        }

        NativeReserve(handle, (UIntPtr)capacity, out var error);
        return error == IntPtr.Zero && _index.Capacity() >= capacity;
    }

    [LibraryImport("libusearch_c", EntryPoint = "usearch_reserve")]
    private static partial void NativeReserve(IntPtr index, UIntPtr capacity, out IntPtr error);
}
