namespace VmNet.AudioFeatures;

/// <summary>
/// librosa 0.5.1 spectral centroid, bandwidth (p = 2, normalised) and roll-off (85 %) of a magnitude spectrogram,
/// bin k at k·(sr/2)/(bins−1) Hz. Frames with no energy give centroid 0, bandwidth 0, roll-off 0 Hz, as librosa does.
/// </summary>
public static class SpectralShape
{
    public const double RollPercent = 0.85;
    private const double Tiny = 1.17549435E-38;

    /// <param name="magnitude">frame-major |STFT|</param>
    /// <param name="centroid">frames</param>
    /// <param name="bandwidth">frames</param>
    /// <param name="rolloff">frames</param>
    public static void Compute(
        ReadOnlySpan<float> magnitude, int bins, int sampleRate, Span<float> centroid, Span<float> bandwidth, Span<float> rolloff)
    {
        var frames = magnitude.Length / bins;
        var step = sampleRate / 2.0 / (bins - 1);
        for (var t = 0; t < frames; t++)
        {
            var s = magnitude.Slice(t * bins, bins);
            var total = 0.0;
            var weighted = 0.0;
            var cumulative = 0f;
            foreach (var v in s)
            {
                cumulative += v;
            }

            for (var k = 0; k < bins; k++)
            {
                total += s[k];
                weighted += k * step * s[k];
            }

            var norm = total < Tiny ? 1 : total;
            var c = weighted / norm;
            var spread = 0.0;
            for (var k = 0; k < bins; k++)
            {
                var d = (k * step) - c;
                spread += s[k] / norm * d * d;
            }

            centroid[t] = (float)c;
            bandwidth[t] = (float)Math.Sqrt(spread);

            // numpy works in float32 here: cumsum of the frame against 0.85 · its last value.
            var threshold = (float)(RollPercent * cumulative);
            var running = 0f;
            var bin = bins - 1;
            for (var k = 0; k < bins; k++)
            {
                running += s[k];
                if (!(running < threshold))
                {
                    bin = k;
                    break;
                }
            }

            rolloff[t] = (float)(bin * step);
        }
    }
}
