using System.Numerics;
using System.Runtime.InteropServices;

namespace VmNet.AudioFeatures;

/// <summary>
/// Real FFTs of <see cref="Lanes"/> frames at once, one frame per SIMD lane: a radix-2 complex FFT of n/2 points on
/// (even, odd) sample pairs, then the split into n/2 + 1 bins. Every lane runs the same scalar arithmetic, so a frame's
/// spectrum does not depend on its neighbours; the STFTs fill the lanes with consecutive frames. NWaves' scalar FFT did
/// one frame in the time this does four (double) or eight (float) (services/audio-features/README.md).
/// Buffers are lane-interleaved: sample i of lane l at <c>i · Lanes + l</c>, bin k at <c>k · Lanes + l</c>.
/// One instance owns its scratch: not thread-safe.
/// </summary>
public sealed class BatchRealFft<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _n;
    private readonly int _m;
    private readonly int[] _reverse;
    private readonly T[] _cos;
    private readonly T[] _sin;
    private readonly T[] _splitCos;
    private readonly T[] _splitSin;
    private readonly Vector<T>[] _zr;
    private readonly Vector<T>[] _zi;

    public BatchRealFft(int n)
    {
        if (n < 4 || !BitOperations.IsPow2(n))
        {
            throw new ArgumentOutOfRangeException(nameof(n), "size must be a power of two, at least 4");
        }

        _n = n;
        _m = n / 2;
        var bits = BitOperations.Log2((uint)_m);
        _reverse = new int[_m];
        for (var k = 0; k < _m; k++)
        {
            _reverse[k] = (int)(ReverseBits((uint)k) >> (32 - bits));
        }

        _cos = new T[Math.Max(1, _m / 2)];
        _sin = new T[_cos.Length];
        for (var k = 0; k < _cos.Length; k++)
        {
            _cos[k] = T.CreateChecked(Math.Cos(2 * Math.PI * k / _m));
            _sin[k] = T.CreateChecked(Math.Sin(2 * Math.PI * k / _m));
        }

        _splitCos = new T[_m + 1];
        _splitSin = new T[_m + 1];
        for (var k = 0; k <= _m; k++)
        {
            _splitCos[k] = T.CreateChecked(Math.Cos(2 * Math.PI * k / n));
            _splitSin[k] = T.CreateChecked(Math.Sin(2 * Math.PI * k / n));
        }

        // Exact at n/2 (and, below, at 0): the Nyquist bin's imaginary part must come out 0, not sin(π)·Z.
        _splitCos[_m] = -T.One;
        _splitSin[_m] = T.Zero;
        _zr = new Vector<T>[_m];
        _zi = new Vector<T>[_m];
    }

    public static int Lanes => Vector<T>.Count;

    public int Size => _n;

    public int Bins => _m + 1;

    /// <summary>Spectra (bins 0..n/2) of the <see cref="Lanes"/> frames in <paramref name="frames"/> (n · Lanes values).</summary>
    public void Forward(ReadOnlySpan<T> frames, Span<T> re, Span<T> im)
    {
        var x = MemoryMarshal.Cast<T, Vector<T>>(frames);
        var xr = MemoryMarshal.Cast<T, Vector<T>>(re);
        var xi = MemoryMarshal.Cast<T, Vector<T>>(im);
        for (var k = 0; k < _m; k++)
        {
            _zr[_reverse[k]] = x[2 * k];
            _zi[_reverse[k]] = x[(2 * k) + 1];
        }

        Butterflies(-T.One);
        var half = T.CreateChecked(0.5);
        for (var k = 0; k <= _m; k++)
        {
            var j = k == _m ? 0 : k;
            var mirror = k == 0 ? 0 : _m - k;
            // E = (Z[k] + conj Z[m−k]) / 2, O = (Z[k] − conj Z[m−k]) / 2i, X[k] = E + e^{−2πik/n} O.
            var er = (_zr[j] + _zr[mirror]) * half;
            var ei = (_zi[j] - _zi[mirror]) * half;
            var or = (_zi[j] + _zi[mirror]) * half;
            var oi = (_zr[mirror] - _zr[j]) * half;
            var c = new Vector<T>(_splitCos[k]);
            var s = new Vector<T>(_splitSin[k]);
            xr[k] = er + ((c * or) + (s * oi));
            xi[k] = ei + ((c * oi) - (s * or));
        }
    }

    /// <summary>
    /// The unnormalised inverse (Σ over n, as NWaves' Inverse): real frames from bins 0..n/2 of each lane; the imaginary
    /// parts of bins 0 and n/2 are ignored, as a real signal's spectrum has none.
    /// </summary>
    public void Inverse(ReadOnlySpan<T> re, ReadOnlySpan<T> im, Span<T> frames)
    {
        var xr = MemoryMarshal.Cast<T, Vector<T>>(re);
        var xi = MemoryMarshal.Cast<T, Vector<T>>(im);
        var x = MemoryMarshal.Cast<T, Vector<T>>(frames);
        for (var k = 0; k < _m; k++)
        {
            // E = X[k] + conj X[m−k], O = (X[k] − conj X[m−k]) · e^{+2πik/n}, Z[k] = E + iO (each twice the forward's).
            var mirror = _m - k;
            var ir = k == 0 ? Vector<T>.Zero : xi[k];
            var imr = mirror == _m ? Vector<T>.Zero : xi[mirror];
            var er = xr[k] + xr[mirror];
            var ei = ir - imr;
            var dr = xr[k] - xr[mirror];
            var di = ir + imr;
            var c = new Vector<T>(_splitCos[k]);
            var s = new Vector<T>(_splitSin[k]);
            var or = (c * dr) - (s * di);
            var oi = (c * di) + (s * dr);
            _zr[_reverse[k]] = er - oi;
            _zi[_reverse[k]] = ei + or;
        }

        Butterflies(T.One);
        for (var k = 0; k < _m; k++)
        {
            x[2 * k] = _zr[k];
            x[(2 * k) + 1] = _zi[k];
        }
    }

    // Iterative radix-2 decimation in time on bit-reversed input; sign −1 forward, +1 inverse.
    private void Butterflies(T sign)
    {
        var zr = _zr.AsSpan();
        var zi = _zi.AsSpan();
        for (var size = 2; size <= _m; size <<= 1)
        {
            var half = size >> 1;
            var step = _m / size;
            for (var j = 0; j < half; j++)
            {
                var wr = new Vector<T>(_cos[j * step]);
                var wi = new Vector<T>(sign * _sin[j * step]);
                for (var a = j; a < _m; a += size)
                {
                    var b = a + half;
                    var tr = (zr[b] * wr) - (zi[b] * wi);
                    var ti = (zr[b] * wi) + (zi[b] * wr);
                    zr[b] = zr[a] - tr;
                    zi[b] = zi[a] - ti;
                    zr[a] += tr;
                    zi[a] += ti;
                }
            }
        }
    }

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555) | ((v & 0x55555555) << 1);
        v = ((v >> 2) & 0x33333333) | ((v & 0x33333333) << 2);
        v = ((v >> 4) & 0x0F0F0F0F) | ((v & 0x0F0F0F0F) << 4);
        v = ((v >> 8) & 0x00FF00FF) | ((v & 0x00FF00FF) << 8);
        return (v >> 16) | (v << 16);
    }
}
