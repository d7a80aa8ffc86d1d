using System.Numerics;

namespace VmNet.AudioFeatures;

/// <summary>
/// librosa 0.5.1 <c>effects.hpss</c> with its defaults: STFT 2048 / hop 512, magnitude median-filtered over 31 frames
/// (harmonic) and over 31 bins (percussive), soft masks of power 2 (split 0.5 where both are ~0), masked spectra
/// inverted back to two signals of the input length. With <c>parallel</c> the two median filters and the two inversions
/// run as two tasks each (the same values: each task owns its scratch and writes its own output).
/// </summary>
public sealed class Hpss(bool parallel = false)
{
    public const int NFft = 2048;
    public const int Hop = 512;
    public const int Kernel = 31;

    // numpy.finfo(float32).tiny: below it librosa's softmask calls the bin empty.
    private const float Tiny = 1.17549435E-38f;

    private readonly Stft _stft = new(NFft, Hop, Stft.PeriodicHann(NFft));
    private readonly Istft _istft = new(NFft, Hop);
    private readonly Istft _istft2 = new(NFft, Hop);
    private readonly SlidingMedian _median = new(Kernel);
    private readonly SlidingMedian _median2 = new(Kernel);

    public void Separate(ReadOnlySpan<float> y, Span<float> harmonic, Span<float> percussive)
    {
        var bins = _stft.Bins;
        var frames = _stft.FrameCount(y.Length);
        var cells = bins * frames;
        var re = new float[cells];
        var im = new float[cells];
        _stft.Forward(y, re, im);
        var mag = new float[cells];
        var lanes = Vector<float>.Count;
        var cell = 0;
        for (; cell <= cells - lanes; cell += lanes)
        {
            var r = new Vector<float>(re, cell);
            var m = new Vector<float>(im, cell);
            Vector.SquareRoot((r * r) + (m * m)).CopyTo(mag, cell);
        }

        for (; cell < cells; cell++)
        {
            mag[cell] = MathF.Sqrt((re[cell] * re[cell]) + (im[cell] * im[cell]));
        }

        var harm = new float[cells];
        var perc = new float[cells];
        void AlongTime()
        {
            var line = new float[frames];
            var filtered = new float[frames];
            for (var k = 0; k < bins; k++)
            {
                for (var t = 0; t < frames; t++)
                {
                    line[t] = mag[(t * bins) + k];
                }

                _median.Filter(line, filtered);
                for (var t = 0; t < frames; t++)
                {
                    harm[(t * bins) + k] = filtered[t];
                }
            }
        }

        void AlongFrequency()
        {
            for (var t = 0; t < frames; t++)
            {
                _median2.Filter(mag.AsSpan(t * bins, bins), perc.AsSpan(t * bins, bins));
            }
        }

        Run(AlongTime, AlongFrequency);

        var hre = new float[cells];
        var him = new float[cells];
        cell = 0;
        for (; cell <= cells - lanes; cell += lanes)
        {
            // SoftMasks, a vector at a time (the same operations in the same order, so the same bits).
            var h = new Vector<float>(harm, cell);
            var p = new Vector<float>(perc, cell);
            var z = Vector.Max(h, p);
            var empty = Vector.LessThan(z, new Vector<float>(Tiny));
            h /= z;
            p /= z;
            h *= h;
            p *= p;
            var mh = Vector.ConditionalSelect(empty, new Vector<float>(0.5f), h / (h + p));
            var mp = Vector.ConditionalSelect(empty, new Vector<float>(0.5f), p / (h + p));
            var r = new Vector<float>(re, cell);
            var m = new Vector<float>(im, cell);
            (r * mh).CopyTo(hre, cell);
            (m * mh).CopyTo(him, cell);
            (r * mp).CopyTo(re, cell);
            (m * mp).CopyTo(im, cell);
        }

        for (; cell < cells; cell++)
        {
            var (mh, mp) = SoftMasks(harm[cell], perc[cell]);
            hre[cell] = re[cell] * mh;
            him[cell] = im[cell] * mh;
            re[cell] *= mp;
            im[cell] *= mp;
        }

        if (parallel)
        {
            // Spans cannot cross into a task: the two signals are inverted into arrays and copied out.
            var h = new float[harmonic.Length];
            var p = new float[percussive.Length];
            Run(() => _istft.Inverse(hre, him, frames, h), () => _istft2.Inverse(re, im, frames, p));
            h.CopyTo(harmonic);
            p.CopyTo(percussive);
        }
        else
        {
            _istft.Inverse(hre, him, frames, harmonic);
            _istft2.Inverse(re, im, frames, percussive);
        }
    }

    private void Run(Action first, Action second)
    {
        if (parallel)
        {
            Parallel.Invoke(first, second);
        }
        else
        {
            first();
            second();
        }
    }

    /// <summary>librosa <c>util.softmask</c>, power 2, split_zeros: (X/Z)² / ((X/Z)² + (R/Z)²) with Z = max(X, R).</summary>
    public static (float Harmonic, float Percussive) SoftMasks(float harmonic, float percussive)
    {
        var z = MathF.Max(harmonic, percussive);
        if (z < Tiny)
        {
            return (0.5f, 0.5f);
        }

        var h = harmonic / z;
        var p = percussive / z;
        h *= h;
        p *= p;
        return (h / (h + p), p / (h + p));
    }
}
