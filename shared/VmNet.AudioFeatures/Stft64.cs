using System.Numerics;
using System.Runtime.InteropServices;

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
    private readonly BatchRealFft<double> _fft;
    private readonly double[] _frames;
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

        _fft = new BatchRealFft<double>(nFft);
        _frames = new double[nFft * Lanes];
        _re = new double[Bins * Lanes];
        _im = new double[Bins * Lanes];
    }

    public int Bins => (_nFft / 2) + 1;

    private static int Lanes => BatchRealFft<double>.Lanes;

    public int FrameCount(int samples) => 1 + (samples / _hop);

    /// <summary>
    /// Frame-major spectra of <paramref name="y"/>: <paramref name="power"/> (when not empty) gets |X|² of every frame,
    /// <paramref name="magnitude"/> (when not empty) gets |X| of every <paramref name="magnitudeStride"/>-th frame.
    /// </summary>
    public void Compute(ReadOnlySpan<float> y, Span<float> power, Span<float> magnitude, int magnitudeStride = 1)
    {
        var bins = Bins;
        var lanes = Lanes;
        var frames = FrameCount(y.Length);
        // Only power: every frame; only magnitude: every stride-th frame (gathered into the lanes).
        var step = power.IsEmpty ? magnitudeStride : 1;
        Span<int> lane = stackalloc int[lanes];
        for (var t = 0; t < frames;)
        {
            var count = 0;
            for (; count < lanes && t < frames; count++, t += step)
            {
                lane[count] = t;
            }

            Fill(y, lane[..count]);
            _fft.Forward(_frames, _re, _im);
            // |X| per bin for all lanes at once: complex64 rounding (narrow to float, widen back), the norm in float64,
            // rounded to float32: the scalar (float)Math.Sqrt(a·a + b·b) of float-rounded a, b, lane by lane.
            var re = MemoryMarshal.Cast<double, Vector<double>>(_re);
            var im = MemoryMarshal.Cast<double, Vector<double>>(_im);
            for (var k = 0; k < bins; k++)
            {
                Vector.Widen(Vector.Narrow(re[k], im[k]), out var a, out var b);
                var m = Vector.Narrow(Vector.SquareRoot((a * a) + (b * b)), Vector<double>.Zero);
                for (var l = 0; l < count; l++)
                {
                    var frame = lane[l];
                    var v = m[l];
                    if (!power.IsEmpty)
                    {
                        power[(frame * bins) + k] = v * v;
                    }

                    if (!magnitude.IsEmpty && frame % magnitudeStride == 0)
                    {
                        magnitude[(frame / magnitudeStride * bins) + k] = v;
                    }
                }
            }
        }
    }

    // The windowed frames into lanes 0 .. count − 1 (zeros in the rest). Sample by sample across the lanes, so the
    // interleaved buffer is written in order; frames that reach past either end take the reflected samples.
    private void Fill(ReadOnlySpan<float> y, ReadOnlySpan<int> frames)
    {
        var lanes = Lanes;
        var interior = true;
        Span<int> start = stackalloc int[lanes];
        for (var l = 0; l < frames.Length; l++)
        {
            start[l] = (frames[l] * _hop) - (_nFft / 2);
            interior &= start[l] >= 0 && start[l] + _nFft <= y.Length;
        }

        if (interior && frames.Length == lanes)
        {
            for (var i = 0; i < _nFft; i++)
            {
                var w = _window[i];
                var row = _frames.AsSpan(i * lanes, lanes);
                for (var l = 0; l < row.Length; l++)
                {
                    row[l] = y[start[l] + i] * w;
                }
            }

            return;
        }

        for (var l = 0; l < lanes; l++)
        {
            for (var i = 0; i < _nFft; i++)
            {
                _frames[(i * lanes) + l] = l >= frames.Length ? 0 : y[Stft.Reflect(start[l] + i, y.Length)] * _window[i];
            }
        }
    }
}
