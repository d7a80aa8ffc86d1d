using NWaves.Transforms;

namespace VmNet.AudioFeatures;

/// <summary>
/// A centred 2048-point STFT (periodic Hann, reflect padding) the way numpy evaluates librosa 0.5.1's <c>stft</c>: the
/// float64 window times the float32 samples, a float64 FFT, the spectrum stored as complex64 and |·| taken in float32.
/// Serves two consumers from one pass over the hop-256 grid: the MFCC's |X|² on every frame and estimate_tuning's |X|
/// (its own hop is 512, so its frames are exactly the even ones of this grid). One instance owns its scratch: not thread-safe.
/// </summary>
public sealed class Stft64
{
    private readonly int _nFft;
    private readonly int _hop;
    private readonly double[] _window;
    private readonly RealFft64 _fft;
    private readonly double[] _frame;
    private readonly double[] _re;
    private readonly double[] _im;

    public Stft64(int nFft, int hop)
    {
        _nFft = nFft;
        _hop = hop;
        _window = new double[nFft];
        for (var i = 0; i < nFft; i++)
        {
            _window[i] = 0.5 - (0.5 * Math.Cos(2 * Math.PI * i / nFft));
        }

        _fft = new RealFft64(nFft);
        _frame = new double[nFft];
        _re = new double[nFft];
        _im = new double[nFft];
    }

    public int Bins => (_nFft / 2) + 1;

    public int FrameCount(int samples) => 1 + (samples / _hop);

    /// <summary>
    /// Frame-major spectra of <paramref name="y"/>: <paramref name="power"/> (when not empty) gets |X|² of every frame,
    /// <paramref name="magnitude"/> (when not empty) gets |X| of every <paramref name="magnitudeStride"/>-th frame.
    /// </summary>
    public void Compute(ReadOnlySpan<float> y, Span<float> power, Span<float> magnitude, int magnitudeStride = 1)
    {
        var bins = Bins;
        var frames = FrameCount(y.Length);
        for (var t = 0; t < frames; t++)
        {
            var keepMagnitude = !magnitude.IsEmpty && t % magnitudeStride == 0;
            if (power.IsEmpty && !keepMagnitude)
            {
                continue;
            }

            var start = (t * _hop) - (_nFft / 2);
            if (start >= 0 && start + _nFft <= y.Length)
            {
                var samples = y.Slice(start, _nFft);
                for (var i = 0; i < _nFft; i++)
                {
                    _frame[i] = samples[i] * _window[i];
                }
            }
            else
            {
                for (var i = 0; i < _nFft; i++)
                {
                    _frame[i] = y[Stft.Reflect(start + i, y.Length)] * _window[i];
                }
            }

            _fft.Direct(_frame, _re, _im);
            var powerRow = power.IsEmpty ? default : power.Slice(t * bins, bins);
            var magnitudeRow = keepMagnitude ? magnitude.Slice(t / magnitudeStride * bins, bins) : default;
            for (var k = 0; k < bins; k++)
            {
                double a = (float)_re[k], b = (float)_im[k];
                var m = (float)Math.Sqrt((a * a) + (b * b));
                if (!powerRow.IsEmpty)
                {
                    powerRow[k] = m * m;
                }

                if (!magnitudeRow.IsEmpty)
                {
                    magnitudeRow[k] = m;
                }
            }
        }
    }
}
