using System.Numerics.Tensors;
namespace VmNet.Catalogue;

/// <summary>
/// Vector helpers for every service: normalisation, cosine, filters and the exact (brute-force) top-k that is the
/// ground truth for every index.
/// </summary>
public static class VectorMath
{
    /// <summary>A unit-length copy of <paramref name="vector"/>; refuses wrong widths, zero and non-finite vectors.</summary>
    public static float[] Normalized(float[] vector, int dimension)
    {
        if (vector.Length != dimension)
        {
            throw new ArgumentException($"vector has {vector.Length} values, the generation has dimension {dimension}");
        }

        var norm = TensorPrimitives.Norm(vector);
        if (!float.IsFinite(norm) || norm <= 0)
        {
            throw new ArgumentException("vector is zero or not finite");
        }

        var result = new float[vector.Length];
        TensorPrimitives.Divide(vector, norm, result);
        return result;
    }

    /// <summary>Scales <paramref name="vector"/> to unit length in place (a zero vector stays zero).</summary>
    public static float[] L2Normalise(float[] vector)
    {
        // Summed in double: the video extractor's published vectors depend on these exact bits.
        double sum = 0;
        foreach (var x in vector)
        {
            sum += (double)x * x;
        }

        if (sum > 0)
        {
            var scale = (float)(1 / Math.Sqrt(sum));
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] *= scale;
            }
        }

        return vector;
    }

    /// <summary>Cosine similarity of two vectors of one length (0 when either is zero).</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"lengths differ: {a.Length} and {b.Length}");
        }

        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

    public static bool Matches(SearchFilter? filter, VectorRecord record) =>
        filter is null
        || ((filter.MinDurationSeconds is null || record.DurationSeconds >= filter.MinDurationSeconds)
            && (filter.MaxDurationSeconds is null || record.DurationSeconds <= filter.MaxDurationSeconds)
            && (filter.MinTempoBpm is null || (record.TempoBpm is { } t1 && t1 >= filter.MinTempoBpm))
            && (filter.MaxTempoBpm is null || (record.TempoBpm is { } t2 && t2 <= filter.MaxTempoBpm))
            && (filter.Kind is null || record.Kind == filter.Kind)
            && HasLabels(record.Labels, filter.Labels));

    /// <summary>Whether <paramref name="labels"/> hold every pair of <paramref name="wanted"/> (none wanted: true).</summary>
    public static bool HasLabels(IReadOnlyDictionary<string, string>? labels, IReadOnlyDictionary<string, string>? wanted)
    {
        if (wanted is null || wanted.Count == 0)
        {
            return true;
        }

        if (labels is null)
        {
            return false;
        }

        foreach (var (key, value) in wanted)
        {
            if (!labels.TryGetValue(key, out var have) || !string.Equals(have, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Top <paramref name="k"/> by cosine over unit vectors, best first, ties by media id.</summary>
    public static List<VectorHit> ExactTopK(IEnumerable<VectorRecord> candidates, float[] unitQuery, int k, SearchFilter? filter)
    {
        var heap = new PriorityQueue<VectorHit, (float Score, string Id)>(k + 1, WorstFirst.Instance);
        foreach (var record in candidates)
        {
            if (!Matches(filter, record))
            {
                continue;
            }

            var score = TensorPrimitives.Dot(unitQuery, record.Vector);
            heap.Enqueue(new VectorHit(record.MediaId, score), (score, record.MediaId));
            if (heap.Count > k)
            {
                heap.Dequeue();
            }
        }

        var hits = new List<VectorHit>(heap.Count);
        while (heap.Count > 0)
        {
            hits.Add(heap.Dequeue());
        }

        hits.Reverse();
        return hits;
    }

    public static List<VectorHit> Ordered(IEnumerable<VectorHit> hits) =>
        [.. hits.OrderByDescending(h => h.Score).ThenBy(h => h.MediaId, StringComparer.Ordinal)];

    // The heap's head is the hit to drop first: lowest score, then highest id.
    private sealed class WorstFirst : IComparer<(float Score, string Id)>
    {
        public static WorstFirst Instance { get; } = new();

        public int Compare((float Score, string Id) x, (float Score, string Id) y)
        {
            var c = x.Score.CompareTo(y.Score);
            return c != 0 ? c : string.CompareOrdinal(y.Id, x.Id);
        }
    }
}
