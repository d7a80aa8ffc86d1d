namespace VmNet.AudioFeatures;

/// <summary>
/// librosa 0.5.1 <c>feature.delta(data, width=9, order)</c>: each row edge-padded by 9 frames, filtered <c>order</c> times with
/// <c>scipy.signal.lfilter([4, 3, …, −4] / 60, 1)</c> (zero initial state), then frames [−5 − T, −5) kept. Not the Savitzky–Golay
/// delta of newer librosa; order 2 inherits the filter's start-up transient in its first three frames.
/// </summary>
public static class Delta
{
    public const int Width = 9;

    public static void Compute(ReadOnlySpan<float> matrix, int rows, int order, Span<float> output)
    {
        var frames = matrix.Length / rows;
        var half = 1 + (Width / 2);
        var b = new double[Width];
        for (var k = 0; k < Width; k++)
        {
            b[k] = (half - 1 - k) / 60.0;
        }

        var padded = new double[frames + (2 * Width)];
        var filtered = new double[padded.Length];
        for (var r = 0; r < rows; r++)
        {
            var row = matrix.Slice(r * frames, frames);
            for (var i = 0; i < padded.Length; i++)
            {
                padded[i] = row[Math.Clamp(i - Width, 0, frames - 1)];
            }

            for (var pass = 0; pass < order; pass++)
            {
                for (var n = 0; n < padded.Length; n++)
                {
                    var sum = 0.0;
                    for (var k = 0; k < Width && k <= n; k++)
                    {
                        sum += b[k] * padded[n - k];
                    }

                    filtered[n] = sum;
                }

                filtered.CopyTo(padded, 0);
            }

            var start = padded.Length - half - frames;
            var dst = output.Slice(r * frames, frames);
            for (var t = 0; t < frames; t++)
            {
                dst[t] = (float)padded[start + t];
            }
        }
    }
}
