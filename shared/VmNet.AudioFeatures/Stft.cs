using System.Numerics;
using System.Runtime.InteropServices;
using NWaves.Windows;

namespace VmNet.AudioFeatures;

/// <summary>
/// librosa 0.5.1's centred STFT: the signal reflect-padded by n_fft/2 (numpy 'reflect', edge not repeated),
/// frames every <c>hop</c> samples, a periodic window, a real FFT of <see cref="BatchRealFft{T}.Lanes"/> frames at a time. Results are frame-major:
/// bin k of frame t at <c>t * Bins + k</c>. One instance owns its scratch buffers: not thread-safe.
/// </summary>
public sealed class Stft
{
    private readonly BatchRealFft<float> _fft;
    private readonly float[] _window;
    private readonly float[] _frames;
    private readonly float[] _re;
    private readonly float[] _im;

    public Stft(int nFft, int hop, float[] window)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(window.Length, nFft);
        NFft = nFft;
        Hop = hop;
        _window = window;
        _fft = new BatchRealFft<float>(nFft);
        _frames = new float[nFft * Lanes];
        _re = new float[Bins * Lanes];
        _im = new float[Bins * Lanes];
    }

    private static int Lanes => BatchRealFft<float>.Lanes;

    public int NFft { get; }

    public int Hop { get; }

    public int Bins => (NFft / 2) + 1;

    /// <summary>Frames of a centred STFT of <paramref name="samples"/> samples.</summary>
    public int FrameCount(int samples) => 1 + (samples / Hop);

    /// <summary>scipy's <c>get_window('hann', n, fftbins=True)</c>: the symmetric NWaves Hann of n + 1, last point dropped.</summary>
    public static float[] PeriodicHann(int n) => Window.OfType(WindowType.Hann, n + 1)[..n];

    public static float[] Ones(int n) => Enumerable.Repeat(1f, n).ToArray();

    /// <summary>Complex spectrum, frame-major, <see cref="Bins"/> per frame.</summary>
    public void Forward(ReadOnlySpan<float> signal, Span<float> re, Span<float> im)
    {
        var frames = FrameCount(signal.Length);
        var bins = Bins;
        for (var t = 0; t < frames; t += Lanes)
        {
            var count = Math.Min(Lanes, frames - t);
            Transform(signal, t, count);
            for (var l = 0; l < count; l++)
            {
                var rowRe = re.Slice((t + l) * bins, bins);
                var rowIm = im.Slice((t + l) * bins, bins);
                for (var k = 0; k < bins; k++)
                {
                    rowRe[k] = _re[(k * Lanes) + l];
                    rowIm[k] = _im[(k * Lanes) + l];
                }
            }
        }
    }

    /// <summary>|X|^power per bin (power 1 or 2), frame-major.</summary>
    public void Magnitudes(ReadOnlySpan<float> signal, Span<float> output, int power) =>
        Magnitudes(signal, output, power, 0, FrameCount(signal.Length));

    /// <summary>
    /// |X|^power of frames <paramref name="firstFrame"/> .. + <paramref name="count"/> of the centred grid of the whole
    /// <paramref name="signal"/>, frame-major: a long signal in pieces with the same values as in one go.
    /// </summary>
    public void Magnitudes(ReadOnlySpan<float> signal, Span<float> output, int power, int firstFrame, int count)
    {
        var bins = Bins;
        for (var t = 0; t < count; t += Lanes)
        {
            var batch = Math.Min(Lanes, count - t);
            Transform(signal, firstFrame + t, batch);
            var re = MemoryMarshal.Cast<float, Vector<float>>(_re);
            var im = MemoryMarshal.Cast<float, Vector<float>>(_im);
            for (var k = 0; k < bins; k++)
            {
                var p = (re[k] * re[k]) + (im[k] * im[k]);
                if (power != 2)
                {
                    p = Vector.SquareRoot(p);
                }

                for (var l = 0; l < batch; l++)
                {
                    output[((t + l) * bins) + k] = p[l];
                }
            }
        }
    }

    /// <summary>The reflect-padded index of sample <paramref name="i"/> of the centred frame grid.</summary>
    public static int Reflect(int j, int n) => j < 0 ? -j : j >= n ? (2 * (n - 1)) - j : j;

    // Frames first .. first + count − 1 (count ≤ Lanes; the other lanes hold zeros) into _re / _im. Sample by sample
    // across the lanes, so the interleaved buffer is written in order.
    private void Transform(ReadOnlySpan<float> signal, int first, int count)
    {
        var n = signal.Length;
        var pad = NFft / 2;
        var lanes = Lanes;
        var start0 = (first * Hop) - pad;
        if (count == lanes && start0 >= 0 && start0 + ((lanes - 1) * Hop) + NFft <= n)
        {
            for (var i = 0; i < NFft; i++)
            {
                var w = _window[i];
                var row = _frames.AsSpan(i * lanes, lanes);
                for (var l = 0; l < row.Length; l++)
                {
                    row[l] = signal[start0 + (l * Hop) + i] * w;
                }
            }
        }
        else
        {
            for (var l = 0; l < lanes; l++)
            {
                var start = start0 + (l * Hop);
                for (var i = 0; i < NFft; i++)
                {
                    _frames[(i * lanes) + l] = l >= count ? 0 : signal[Reflect(start + i, n)] * _window[i];
                }
            }
        }

        _fft.Forward(_frames, _re, _im);
    }
}
