namespace VmNet.AudioFeatures;

/// <summary>A filter bank stored by its non-zero span per filter, so applying it skips the zeros of mel triangles.</summary>
public sealed class FilterBank
{
    private readonly int[] _start;
    private readonly float[][] _weights;

    public FilterBank(float[][] dense)
    {
        Count = dense.Length;
        Bins = dense[0].Length;
        _start = new int[Count];
        _weights = new float[Count][];
        for (var i = 0; i < Count; i++)
        {
            var row = dense[i];
            var first = Array.FindIndex(row, v => v != 0);
            var last = Array.FindLastIndex(row, v => v != 0);
            _start[i] = Math.Max(first, 0);
            _weights[i] = first < 0 ? [] : row[first..(last + 1)];
        }
    }

    public int Count { get; }

    public int Bins { get; }

    /// <summary>Applies the bank to a frame-major spectrogram; writes row-major output: filter i, frame t at i·frames + t.</summary>
    public void Apply(ReadOnlySpan<float> spectrogram, Span<float> output)
    {
        var frames = spectrogram.Length / Bins;
        for (var t = 0; t < frames; t++)
        {
            var frame = spectrogram.Slice(t * Bins, Bins);
            for (var i = 0; i < Count; i++)
            {
                var w = _weights[i];
                var s = frame.Slice(_start[i], w.Length);
                var sum = 0.0;
                for (var k = 0; k < w.Length; k++)
                {
                    sum += w[k] * s[k];
                }

                output[(i * frames) + t] = (float)sum;
            }
        }
    }
}
