namespace VmNet.AudioFeatures;

/// <summary>
/// librosa 0.5.1 <c>poly_features</c>: per frame, the least-squares polynomial (numpy <c>polyfit</c>, highest power first)
/// of the magnitude spectrum against bin frequency. The fit is linear in the data, so its pseudo-inverse is built once.
/// </summary>
public sealed class PolyFeatures
{
    private readonly int _order;
    private readonly int _bins;
    private readonly double[] _pinv;

    public PolyFeatures(int order, int bins, int sampleRate)
    {
        _order = order;
        _bins = bins;
        var m = order + 1;
        var fmax = sampleRate / 2.0;

        // Columns x^order … x^0 of the Vandermonde matrix with x = f / fmax, scaled for conditioning and undone below.
        var v = new double[bins, m];
        for (var k = 0; k < bins; k++)
        {
            var x = (double)k / (bins - 1);
            for (var j = 0; j < m; j++)
            {
                v[k, j] = Math.Pow(x, order - j);
            }
        }

        var normal = new double[m, m];
        for (var a = 0; a < m; a++)
        {
            for (var b = 0; b < m; b++)
            {
                for (var k = 0; k < bins; k++)
                {
                    normal[a, b] += v[k, a] * v[k, b];
                }
            }
        }

        var inverse = Invert(normal);
        _pinv = new double[m * bins];
        for (var j = 0; j < m; j++)
        {
            var unscale = Math.Pow(fmax, -(order - j));
            for (var k = 0; k < bins; k++)
            {
                var sum = 0.0;
                for (var b = 0; b < m; b++)
                {
                    sum += inverse[j, b] * v[k, b];
                }

                _pinv[(j * bins) + k] = sum * unscale;
            }
        }
    }

    public int Coefficients => _order + 1;

    /// <summary>Writes (order+1) rows × frames from a frame-major magnitude spectrogram.</summary>
    public void Compute(ReadOnlySpan<float> magnitude, Span<float> output)
    {
        var frames = magnitude.Length / _bins;
        for (var t = 0; t < frames; t++)
        {
            var s = magnitude.Slice(t * _bins, _bins);
            for (var j = 0; j < Coefficients; j++)
            {
                var p = _pinv.AsSpan(j * _bins, _bins);
                var sum = 0.0;
                for (var k = 0; k < _bins; k++)
                {
                    sum += p[k] * s[k];
                }

                output[(j * frames) + t] = (float)sum;
            }
        }
    }

    private static double[,] Invert(double[,] a)
    {
        var n = a.GetLength(0);
        var m = new double[n, 2 * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                m[i, j] = a[i, j];
            }

            m[i, n + i] = 1;
        }

        for (var c = 0; c < n; c++)
        {
            var pivot = c;
            for (var r = c + 1; r < n; r++)
            {
                if (Math.Abs(m[r, c]) > Math.Abs(m[pivot, c]))
                {
                    pivot = r;
                }
            }

            for (var j = 0; j < 2 * n; j++)
            {
                (m[c, j], m[pivot, j]) = (m[pivot, j], m[c, j]);
            }

            var d = m[c, c];
            for (var j = 0; j < 2 * n; j++)
            {
                m[c, j] /= d;
            }

            for (var r = 0; r < n; r++)
            {
                if (r != c)
                {
                    var f = m[r, c];
                    for (var j = 0; j < 2 * n; j++)
                    {
                        m[r, j] -= f * m[c, j];
                    }
                }
            }
        }

        var inverse = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                inverse[i, j] = m[i, n + j];
            }
        }

        return inverse;
    }
}
