namespace VmNet.AudioFeatures;

/// <summary>
/// librosa 0.5.1 <c>estimate_tuning</c>: <c>piptrack</c> peaks (150–4000 Hz, above 10 % of the frame maximum, refined by
/// parabolic interpolation), kept where their magnitude reaches the median, then the most common deviation from
/// equal temperament in a 0.01-bin histogram. Returns the tuning in fractions of a chroma bin, in [-0.5, 0.5).
/// On percussive signals that histogram is nearly flat (its top bins a few counts apart), so the arithmetic follows
/// numpy's dtypes step by step: pitches rounded to float32 from float64, residuals in float32, and
/// <see cref="EstimateFromSignal"/> takes its spectrum from a float64 FFT rounded to complex64 as librosa's stft does.
/// </summary>
public static class TuningEstimator
{
    private const float Tiny = 1.17549435E-38f;

    /// <summary>
    /// librosa <c>estimate_tuning(y=y, sr=sr)</c>: the magnitude STFT (n_fft 2048, hop 512, centred, periodic Hann) as
    /// numpy computes it (float64 window times float32 samples, float64 FFT, stored as complex64, |·| in float32), then
    /// <see cref="Estimate"/>.
    /// </summary>
    public static double EstimateFromSignal(ReadOnlySpan<float> y, int sampleRate, int nFft = 2048)
    {
        var stft = new Stft64(nFft, nFft / 4);
        var magnitude = new float[stft.FrameCount(y.Length) * stft.Bins];
        stft.Compute(y, default, magnitude);
        return Estimate(magnitude, stft.Bins, sampleRate, nFft);
    }

    /// <param name="spectrogram">frame-major, nFft/2+1 bins per frame (magnitude or power, as librosa was given)</param>
    public static double Estimate(ReadOnlySpan<float> spectrogram, int bins, int sampleRate, int nFft, int binsPerOctave = 12)
    {
        var frames = spectrogram.Length / bins;
        var fmax = Math.Min(4000.0, sampleRate / 2.0);
        var step = sampleRate / 2.0 / (bins - 1);
        var pitches = new List<float>();
        var mags = new List<float>();
        for (var t = 0; t < frames; t++)
        {
            var s = spectrogram.Slice(t * bins, bins);
            var max = 0f;
            foreach (var v in s)
            {
                max = MathF.Max(max, v);
            }

            var threshold = 0.1f * max;
            for (var k = 1; k < bins - 1; k++)
            {
                var f = k * step;
                if (f < 150 || f >= fmax)
                {
                    continue;
                }

                // localmax of S·(S > threshold) with edge padding: strictly above the left, at least the right.
                var x = Gate(s[k], threshold);
                if (!(x > Gate(s[k - 1], threshold) && x >= Gate(s[k + 1], threshold)))
                {
                    continue;
                }

                var avg = 0.5f * (s[k + 1] - s[k - 1]);
                var shift = (2 * s[k]) - s[k + 1] - s[k - 1];
                shift = avg / (shift + (MathF.Abs(shift) < Tiny ? 1 : 0));
                // numpy: int64 index + float32 shift is float64; the product is stored in a float32 array.
                var pitch = (float)((k + (double)shift) * sampleRate / nFft);
                if (pitch > 0)
                {
                    pitches.Add(pitch);
                    mags.Add(s[k] + (0.5f * avg * shift));
                }
            }
        }

        if (mags.Count == 0)
        {
            return 0;
        }

        var sorted = mags.ToArray();
        Array.Sort(sorted);
        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2f;
        var chosen = new List<float>();
        for (var i = 0; i < pitches.Count; i++)
        {
            if (mags[i] >= median)
            {
                chosen.Add(pitches[i]);
            }
        }

        return Histogram(chosen.Select(f => Residual32(f, binsPerOctave)), 0.01);
    }

    // pitch_tuning on a float32 array: hz_to_octs, the product and np.mod all stay float32.
    private static double Residual32(float frequency, int binsPerOctave)
    {
        var octs = binsPerOctave * MathF.Log2(frequency / 27.5f);
        var residual = octs - MathF.Floor(octs);
        return residual >= 0.5f ? residual - 1f : residual;
    }

    /// <summary>librosa <c>pitch_tuning</c>: histogram of deviations with numpy's 100 edges over [-0.5, 0.5) (99 bins).</summary>
    public static double PitchTuning(IReadOnlyList<double> frequencies, int binsPerOctave = 12, double resolution = 0.01) =>
        Histogram(
            frequencies.Where(f => f > 0).Select(f =>
            {
                var octs = binsPerOctave * Math.Log2(f / 27.5);
                var residual = octs - Math.Floor(octs);
                return residual >= 0.5 ? residual - 1 : residual;
            }),
            resolution);

    // The residuals' histogram over numpy's edges; the left edge of the first fullest bin (0 when there are none).
    private static double Histogram(IEnumerable<double> residuals, double resolution)
    {
        var edges = (int)Math.Ceiling(1 / resolution);
        var edge = new double[edges];
        for (var i = 0; i < edges; i++)
        {
            edge[i] = (i * (1.0 / edges)) + -0.5;
        }

        var counts = new int[edges - 1];
        var any = false;
        foreach (var residual in residuals)
        {
            any = true;

            // numpy.histogram: [e_i, e_i+1) except the last bin, which includes its right edge.
            if (residual < edge[0] || residual > edge[^1])
            {
                continue;
            }

            var bin = Array.BinarySearch(edge, residual);
            bin = bin >= 0 ? bin : ~bin - 1;
            counts[Math.Min(bin, counts.Length - 1)]++;
        }

        if (!any)
        {
            return 0;
        }

        var best = 0;
        for (var i = 1; i < counts.Length; i++)
        {
            if (counts[i] > counts[best])
            {
                best = i;
            }
        }

        return edge[best];
    }

    private static float Gate(float v, float threshold) => v > threshold ? v : 0;
}
