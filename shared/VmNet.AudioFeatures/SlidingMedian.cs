using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VmNet.AudioFeatures;

/// <summary>
/// scipy.ndimage <c>median_filter</c> along one line with an odd window and mode 'reflect' (edge repeated:
/// d c b a | a b c d | d c b a). A sorted window is updated per step (one removal, one insertion), so a line costs
/// O(length · window) without sorting each window. One instance per thread.
/// </summary>
public sealed class SlidingMedian
{
    private readonly int _size;
    private readonly float[] _sorted;
    private readonly bool _vectorised;
    private float[] _padded = [];

    /// <param name="size">Odd window length.</param>
    /// <param name="vectorised">Use the AVX2 window (windows up to 32, where the CPU has AVX2); false forces the scalar one.</param>
    public SlidingMedian(int size, bool vectorised = true)
    {
        if (size < 1 || size % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "window must be odd and positive");
        }

        _size = size;
        _sorted = new float[size];
        _vectorised = vectorised && Avx2.IsSupported && size <= SimdWindow.Capacity;
    }

    /// <summary>scipy 'reflect' index: -1 → 0, -2 → 1, n → n-1 (repeats for windows longer than the line).</summary>
    public static int ReflectEdge(int j, int n)
    {
        var period = 2 * n;
        j %= period;
        if (j < 0)
        {
            j += period;
        }

        return j < n ? j : period - 1 - j;
    }

    public void Filter(ReadOnlySpan<float> line, Span<float> output)
    {
        var n = line.Length;
        var half = _size / 2;
        if (_padded.Length < n + _size)
        {
            _padded = new float[n + _size];
        }

        for (var i = 0; i < n + (2 * half); i++)
        {
            _padded[i] = line[ReflectEdge(i - half, n)];
        }

        _padded.AsSpan(0, _size).CopyTo(_sorted);
        Array.Sort(_sorted);
        output[0] = _sorted[half];
        if (_vectorised)
        {
            SimdWindow.Run(_sorted, _padded, _size, output[..n]);
            return;
        }

        for (var i = 1; i < n; i++)
        {
            Replace(_padded[i - 1], _padded[i - 1 + _size]);
            output[i] = _sorted[half];
        }
    }

    // Removes one occurrence of `outgoing` and inserts `incoming`, keeping the window sorted: the elements between
    // the two positions shift by one. A hand-written lower bound (no comparer) keeps a step near 20 ns.
    private void Replace(float outgoing, float incoming)
    {
        var sorted = _sorted.AsSpan();
        int lo = 0, hi = sorted.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (sorted[mid] < outgoing)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        var i = lo;
        if (incoming >= outgoing)
        {
            while (i + 1 < sorted.Length && sorted[i + 1] < incoming)
            {
                sorted[i] = sorted[i + 1];
                i++;
            }
        }
        else
        {
            while (i > 0 && sorted[i - 1] > incoming)
            {
                sorted[i] = sorted[i - 1];
                i--;
            }
        }

        sorted[i] = incoming;
    }

    /// <summary>
    /// The sorted window in four AVX registers (32 slots, the unused ones +∞), updated without branches: the removal
    /// and the insertion positions are counts of lanes below a value, and the elements past them move by one lane.
    /// The scalar update's binary search and shift loop mispredict on most steps.
    /// </summary>
    private static class SimdWindow
    {
        public const int Capacity = 32;

        /// <summary>Outputs 1.. of a line whose first window is already <paramref name="sorted"/>.</summary>
        public static void Run(ReadOnlySpan<float> sorted, ReadOnlySpan<float> padded, int size, Span<float> output)
        {
            Span<float> slots = stackalloc float[Capacity];
            slots.Fill(float.PositiveInfinity);
            sorted.CopyTo(slots);
            var a = Vector256.Create<float>(slots[..8]);
            var b = Vector256.Create<float>(slots[8..16]);
            var c = Vector256.Create<float>(slots[16..24]);
            var d = Vector256.Create<float>(slots[24..]);

            var left = Vector256.Create(1, 2, 3, 4, 5, 6, 7, 7);
            var right = Vector256.Create(0, 0, 1, 2, 3, 4, 5, 6);
            var first = Vector256<int>.Zero;
            var last = Vector256.Create(7);
            var i0 = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            var i1 = i0 + Vector256.Create(8);
            var i2 = i0 + Vector256.Create(16);
            var i3 = i0 + Vector256.Create(24);
            var inf = Vector256.Create(float.PositiveInfinity);
            var half = size / 2;
            var pick = Vector256.Create(half & 7);

            for (var i = 1; i < output.Length; i++)
            {
                // Remove: from the first slot holding the outgoing value on, every slot takes its right neighbour's value.
                var r = Vector256.Create(Below(a, b, c, d, Vector256.Create(padded[i - 1])));
                var na = Vector256.ConditionalSelect(Vector256.LessThan(i0, r).AsSingle(), a, Avx.Blend(Avx2.PermuteVar8x32(a, left), Avx2.PermuteVar8x32(b, first), 0b1000_0000));
                var nb = Vector256.ConditionalSelect(Vector256.LessThan(i1, r).AsSingle(), b, Avx.Blend(Avx2.PermuteVar8x32(b, left), Avx2.PermuteVar8x32(c, first), 0b1000_0000));
                var nc = Vector256.ConditionalSelect(Vector256.LessThan(i2, r).AsSingle(), c, Avx.Blend(Avx2.PermuteVar8x32(c, left), Avx2.PermuteVar8x32(d, first), 0b1000_0000));
                var nd = Vector256.ConditionalSelect(Vector256.LessThan(i3, r).AsSingle(), d, Avx.Blend(Avx2.PermuteVar8x32(d, left), inf, 0b1000_0000));

                // Insert: slots before the count of values below the incoming one stay, that slot takes it, the rest move right.
                var value = Vector256.Create(padded[i - 1 + size]);
                var q = Vector256.Create(Below(na, nb, nc, nd, value));
                a = Insert(i0, q, na, Avx2.PermuteVar8x32(na, right), value);
                b = Insert(i1, q, nb, Avx.Blend(Avx2.PermuteVar8x32(nb, right), Avx2.PermuteVar8x32(na, last), 0b0000_0001), value);
                c = Insert(i2, q, nc, Avx.Blend(Avx2.PermuteVar8x32(nc, right), Avx2.PermuteVar8x32(nb, last), 0b0000_0001), value);
                d = Insert(i3, q, nd, Avx.Blend(Avx2.PermuteVar8x32(nd, right), Avx2.PermuteVar8x32(nc, last), 0b0000_0001), value);

                var holder = (half >> 3) switch { 0 => a, 1 => b, 2 => c, _ => d };
                output[i] = Avx2.PermuteVar8x32(holder, pick).ToScalar();
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Below(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d, Vector256<float> v) =>
            BitOperations.PopCount(Vector256.LessThan(a, v).ExtractMostSignificantBits())
            + BitOperations.PopCount(Vector256.LessThan(b, v).ExtractMostSignificantBits())
            + BitOperations.PopCount(Vector256.LessThan(c, v).ExtractMostSignificantBits())
            + BitOperations.PopCount(Vector256.LessThan(d, v).ExtractMostSignificantBits());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Insert(
            Vector256<int> index, Vector256<int> at, Vector256<float> before, Vector256<float> after, Vector256<float> value) =>
            Vector256.ConditionalSelect(
                Vector256.LessThan(index, at).AsSingle(),
                before,
                Vector256.ConditionalSelect(Vector256.Equals(index, at).AsSingle(), value, after));
    }
}
