using NWaves.Transforms;
using NWaves.Windows;

namespace VmNet.AudioFeatures;

/// <summary>
/// librosa 0.5.1's centred STFT: the signal reflect-padded by n_fft/2 (numpy 'reflect', edge not repeated),
/// frames every <c>hop</c> samples, a periodic window, NWaves' real FFT. Results are frame-major:
/// bin k of frame t at <c>t * Bins + k</c>. One instance owns its scratch buffers: not thread-safe.
/// </summary>
public sealed class Stft
{
    private readonly RealFft _fft;
    private readonly float[] _window;
    private readonly float[] _frame;
    private readonly float[] _re;
    private readonly float[] _im;

    public Stft(int nFft, int hop, float[] window)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(window.Length, nFft);
        NFft = nFft;
        Hop = hop;
        _window = window;
        _fft = new RealFft(nFft);
        _frame = new float[nFft];
        _re = new float[nFft];
        _im = new float[nFft];
    }

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
        for (var t = 0; t < frames; t++)
        {
            Transform(signal, t);
            _re.AsSpan(0, Bins).CopyTo(re.Slice(t * Bins, Bins));
            _im.AsSpan(0, Bins).CopyTo(im.Slice(t * Bins, Bins));
        }
    }

    /// <summary>|X|^power per bin (power 1 or 2), frame-major.</summary>
    public void Magnitudes(ReadOnlySpan<float> signal, Span<float> output, int power)
    {
        var frames = FrameCount(signal.Length);
        for (var t = 0; t < frames; t++)
        {
            Transform(signal, t);
            var row = output.Slice(t * Bins, Bins);
            for (var k = 0; k < row.Length; k++)
            {
                var p = (_re[k] * _re[k]) + (_im[k] * _im[k]);
                row[k] = power == 2 ? p : MathF.Sqrt(p);
            }
        }
    }

    /// <summary>
    /// |X|^power of frames <paramref name="firstFrame"/> .. + <paramref name="count"/> of the centred grid of the whole
    /// <paramref name="signal"/>, frame-major: a long signal in pieces with the same values as in one go.
    /// </summary>
    public void Magnitudes(ReadOnlySpan<float> signal, Span<float> output, int power, int firstFrame, int count)
    {
        for (var t = 0; t < count; t++)
        {
            Transform(signal, firstFrame + t);
            var row = output.Slice(t * Bins, Bins);
            for (var k = 0; k < row.Length; k++)
            {
                var p = (_re[k] * _re[k]) + (_im[k] * _im[k]);
                row[k] = power == 2 ? p : MathF.Sqrt(p);
            }
        }
    }

    /// <summary>The reflect-padded index of sample <paramref name="i"/> of the centred frame grid.</summary>
    public static int Reflect(int j, int n) => j < 0 ? -j : j >= n ? (2 * (n - 1)) - j : j;

    private void Transform(ReadOnlySpan<float> signal, int t)
    {
        var n = signal.Length;
        var pad = NFft / 2;
        var start = (t * Hop) - pad;
        if (start >= 0 && start + NFft <= n)
        {
            for (var i = 0; i < NFft; i++)
            {
                _frame[i] = signal[start + i] * _window[i];
            }
        }
        else
        {
            for (var i = 0; i < NFft; i++)
            {
                _frame[i] = signal[Reflect(start + i, n)] * _window[i];
            }
        }

        _fft.Direct(_frame, _re, _im);
    }
}
