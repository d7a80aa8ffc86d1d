using System.Numerics.Tensors;
using System.Reflection;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;
using VmNet.Catalogue;

namespace VmNet.Storage;

/// <summary>
/// One modality of one generation in memory: a USearch HNSW graph over unit vectors plus the records (payload and
/// vector) by key, which also serve exact search. Writers take the write lock, queries the read lock, so a query
/// never sees a half-applied batch. Large batches are inserted in parallel across cores. The graph can be saved
/// beside the database (<see cref="Save"/>) and loaded instead of rebuilt (<see cref="TryLoad"/>); the first write
/// after either deletes the saved files, so a saved graph on disk never lags the database.
/// </summary>
internal sealed partial class ModalityIndex : IDisposable
{
    // Concurrent inserts build a measurably worse graph, worst while it is small (items that no longer find
    // themselves; measured in services/embedder/README.md). So the first ParallelGraph vectors always go in one at a time,
    // and only batches of ParallelBatch or more beyond that across the cores (a re-embedding's batches are 256).
    private const int ParallelBatch = 256;
    private const int ParallelGraph = 2048;
    private static readonly FieldInfo? HandleField = typeof(USearchIndex).GetField("_index", BindingFlags.NonPublic | BindingFlags.Instance);

    // USearch serves each call from a fixed pool of thread contexts (one per hardware thread) and fails rather
    // than waits when it is empty, so every call into the index holds one of these permits.
    private static readonly int Contexts = Environment.ProcessorCount;
    private readonly SemaphoreSlim _contexts = new(Contexts, Contexts);
    private readonly VectorStoreOptions _options;
    private USearchIndex _index;
    private string? _savedAt;
    private bool _closed;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, int> _slotOf = new(StringComparer.Ordinal);
    private readonly List<VectorRecord?> _slots = [];

    public ModalityIndex(int dimension, VectorStoreOptions options)
    {
        Dimension = dimension;
        _options = options;
        _index = new USearchIndex(MetricKind.Cos, Scalar(options.Quantization), (ulong)dimension, (ulong)options.Connectivity, (ulong)options.ExpansionAdd, (ulong)options.ExpansionSearch);
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

    /// <summary>Whether the graph in memory is the one saved on disk (nothing written since it was saved or loaded).</summary>
    public bool IsSaved => _savedAt is not null;

    /// <summary>Adds or replaces records whose vectors are already unit length and of the right width.</summary>
    public void Upsert(IReadOnlyList<VectorRecord> records)
    {
        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            ForgetSaved();
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

            // Until the graph holds ParallelGraph vectors, one at a time; the rest of a big batch across the cores.
            var serial = Math.Min(adds.Count, ParallelGraph - (int)Math.Min(_index.Size(), ParallelGraph));
            if (adds.Count - serial < ParallelBatch || !TryReserve(_index.Size() + (ulong)adds.Count))
            {
                serial = adds.Count;
            }

            foreach (var (key, vector) in adds.Take(serial))
            {
                WithContext(() => _index.Add(key, vector));
            }

            if (serial < adds.Count)
            {
                Parallel.ForEach(adds.Skip(serial), new ParallelOptions { MaxDegreeOfParallelism = Contexts }, a => WithContext(() => _index.Add(a.Key, a.Vector)));
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
            if (count == 0 || k <= 0 || _closed)
            {
                return [];
            }

            // Filters are applied to an oversampled ANN answer; when that leaves too few, the exact scan answers.
            // The graph's candidates (RescoreFactor per result) are rescored on the records' float vectors, so a
            // quantised graph costs recall only, never score accuracy or order.
            var wanted = filter is null ? Math.Min(k, count) : Math.Min(count, Math.Max(k * 8, 64));
            var fetch = Math.Min(count, wanted * Math.Max(1, _options.RescoreFactor));
            ulong[] keys = [];
            float[] distances = [];
            var found = WithContext(() => _index.Search(unitQuery, fetch, out keys, out distances));
            var hits = new List<VectorHit>(found);
            for (var i = 0; i < found; i++)
            {
                if (_slots[(int)keys[i]] is { } record && VectorMath.Matches(filter, record))
                {
                    hits.Add(new VectorHit(record.MediaId, TensorPrimitives.Dot(unitQuery, record.Vector)));
                }
            }

            return hits.Count < Math.Min(k, count) && (filter is not null || found < fetch)
                ? VectorMath.ExactTopK(Live(), unitQuery, k, filter)
                : VectorMath.Ordered(hits).Take(k).ToList();
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

    /// <summary>
    /// Writes the graph to <paramref name="path"/> and the media id of every key to <c>path.keys</c> (one per line,
    /// empty for a replaced key). The keys file goes last, so a crash mid-save leaves no loadable pair.
    /// </summary>
    public void Save(string path)
    {
        _lock.EnterReadLock();
        try
        {
            var keys = KeysPath(path);
            File.Delete(keys);
            WithContext(() => _index.Save(path + ".tmp"));
            File.Move(path + ".tmp", path, overwrite: true);
            File.WriteAllLines(keys + ".tmp", _slots.Select(s => s?.MediaId ?? string.Empty));
            File.Move(keys + ".tmp", keys, overwrite: true);
            _savedAt = path;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Takes a graph saved by <see cref="Save"/> for these <paramref name="records"/> (the database's rows) into this
    /// empty index. Returns the reason it cannot (missing, torn, or not matching the rows), in which case nothing
    /// changed and the caller rebuilds.
    /// </summary>
    public string? TryLoad(string path, IReadOnlyList<VectorRecord> records)
    {
        var keysPath = KeysPath(path);
        if (!File.Exists(path) || !File.Exists(keysPath))
        {
            return "no saved graph";
        }

        var ids = File.ReadAllLines(keysPath);
        var byId = records.ToDictionary(r => r.MediaId, StringComparer.Ordinal);
        USearchIndex? loaded = null;
        var reason = Check();
        if (reason is not null)
        {
            // A saved graph that does not fit is never tried again: the next save replaces it.
            loaded?.Dispose();
            File.Delete(keysPath);
            File.Delete(path);
            return reason;
        }

        string? Check()
        {
            var live = ids.Where(id => id.Length > 0).ToList();
            if (live.Count != byId.Count || live.Distinct(StringComparer.Ordinal).Count() != live.Count || !live.All(byId.ContainsKey))
            {
                return "its keys do not match the database";
            }

            try
            {
                if (SavedScalar(path) is { } scalar && scalar != Scalar(_options.Quantization))
                {
                    return $"it holds {scalar} vectors, the store is configured for {Scalar(_options.Quantization)}";
                }

                loaded = new USearchIndex(path, view: false);
                if ((int)loaded.Dimensions() != Dimension || loaded.Size() != (ulong)live.Count)
                {
                    return $"it holds {loaded.Size()} vectors of width {loaded.Dimensions()}, the database {live.Count} of width {Dimension}";
                }

                // Every saved vector must be the database's: a sample let a graph that lagged the database by one
                // write (a crash between the commit and the write that drops the saved files) load with a stale vector.
                // The rows are in memory already; comparing all of them costs far less than rebuilding the graph.
                for (var key = 0; key < ids.Length; key++)
                {
                    if (ids[key].Length > 0 && (loaded.Get((ulong)key, out float[] saved) != 1 || !Close(saved, byId[ids[key]].Vector, Tolerance(_options.Quantization))))
                    {
                        return $"its vector for {ids[key]} differs from the database's";
                    }
                }

                SetExpansion(loaded);
                return null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return $"it cannot be read: {e.Message}";
            }
        }

        _lock.EnterWriteLock();
        try
        {
            _index.Dispose();
            _index = loaded!;
            _slots.Clear();
            _slotOf.Clear();
            for (var key = 0; key < ids.Length; key++)
            {
                _slots.Add(ids[key].Length > 0 ? byId[ids[key]] : null);
                if (ids[key].Length > 0)
                {
                    _slotOf[ids[key]] = key;
                }
            }

            _savedAt = path;
            return null;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Frees the graph and the records of a dropped generation once no query holds the read lock; afterwards the index
    /// is empty and refuses writes. The locks stay (a caller may still be waiting on them); the GC takes them.
    /// </summary>
    public void Close()
    {
        _lock.EnterWriteLock();
        try
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _savedAt = null;
            _index.Dispose();
            _slots.Clear();
            _slotOf.Clear();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public void Dispose()
    {
        if (!_closed)
        {
            _index.Dispose();
        }

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

    private static string KeysPath(string path) => path + ".keys";

    private static bool Close(float[] a, float[] b, float tolerance) =>
        a.Length == b.Length && a.Zip(b).All(p => MathF.Abs(p.First - p.Second) <= tolerance);

    private static ScalarKind Scalar(VectorQuantization quantization) => quantization switch
    {
        VectorQuantization.Float16 => ScalarKind.Float16,
        VectorQuantization.Int8 => ScalarKind.Int8,
        _ => ScalarKind.Float32,
    };

    // How far a stored component may be from the database's after the graph's quantisation: one step of 1/127 for
    // Int8 (USearch truncates unit-vector components times 127 toward zero), half an ulp of a half in [-1, 1] for Float16.
    private static float Tolerance(VectorQuantization quantization) => quantization switch
    {
        VectorQuantization.Int8 => 1f / 127 + 1e-6f,
        VectorQuantization.Float16 => 1f / 2048 + 1e-6f,
        _ => 1e-6f,
    };

    // The scalar kind recorded in a saved graph's header (null when the header cannot be read: loading will say why).
    private static ScalarKind? SavedScalar(string path)
    {
        var options = default(NativeInitOptions);
        NativeMetadata(path, ref options, out var error);
        return error == IntPtr.Zero ? (ScalarKind)options.Quantization : null;
    }

    // Called under the write lock, before the graph changes: the saved copy no longer matches.
    private void ForgetSaved()
    {
        if (_savedAt is { } path)
        {
            File.Delete(KeysPath(path));
            File.Delete(path);
            _savedAt = null;
        }
    }

    // A loaded graph starts with USearch's default expansions; give it the configured ones.
    private void SetExpansion(USearchIndex index)
    {
        if (HandleField?.GetValue(index) is IntPtr handle && handle != IntPtr.Zero)
        {
            NativeChangeExpansionAdd(handle, (UIntPtr)_options.ExpansionAdd, out _);
            NativeChangeExpansionSearch(handle, (UIntPtr)_options.ExpansionSearch, out _);
        }
    }

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

    // usearch_init_options_t of usearch.h, as usearch_metadata fills it from a saved file's header.
    [StructLayout(LayoutKind.Sequential)]
    private struct NativeInitOptions
    {
        public int MetricKind;
        public IntPtr Metric;
        public int Quantization;
        public UIntPtr Dimensions;
        public UIntPtr Connectivity;
        public UIntPtr ExpansionAdd;
        public UIntPtr ExpansionSearch;
        public byte Multi;
    }

    [LibraryImport("libusearch_c", EntryPoint = "usearch_metadata", StringMarshalling = StringMarshalling.Utf8)]
    private static partial void NativeMetadata(string path, ref NativeInitOptions options, out IntPtr error);

    [LibraryImport("libusearch_c", EntryPoint = "usearch_reserve")]
    private static partial void NativeReserve(IntPtr index, UIntPtr capacity, out IntPtr error);

    [LibraryImport("libusearch_c", EntryPoint = "usearch_change_expansion_add")]
    private static partial void NativeChangeExpansionAdd(IntPtr index, UIntPtr expansion, out IntPtr error);

    [LibraryImport("libusearch_c", EntryPoint = "usearch_change_expansion_search")]
    private static partial void NativeChangeExpansionSearch(IntPtr index, UIntPtr expansion, out IntPtr error);
}
