namespace VmNet.AudioFeatures;

/// <summary>
/// A librosa-like global tempo: onset strength = mean over mel bands of the positive dB rise from the previous frame
/// (of the percussive component's 128-band log-mel spectrogram), its autocorrelation over lags up to 8 s, weighted by
/// librosa's log-normal prior (centre 120 BPM, one octave deviation); the best lag's BPM, refined by parabolic interpolation.
/// Returns null when there are no onsets (silence). Not part of the 1140-d vector; used for search filters.
/// </summary>
public static class TempoEstimator
{
    public const double StartBpm = 120;
    public const double MaxLagSeconds = 8;

    /// <param name="logMel">rows × frames dB mel spectrogram</param>
    public static double? Estimate(ReadOnlySpan<float> logMel, int rows, double framesPerSecond) =>
        FromOnsets(OnsetStrength(logMel, rows), framesPerSecond);

    /// <summary>Onset strength per frame: the mean over bands of the positive dB rise from the previous frame.</summary>
    /// <param name="logMel">rows × frames dB mel spectrogram</param>
    public static double[] OnsetStrength(ReadOnlySpan<float> logMel, int rows)
    {
        var frames = logMel.Length / rows;
        var onset = new double[frames];
        for (var r = 0; r < rows; r++)
        {
            var row = logMel.Slice(r * frames, frames);
            for (var t = 1; t < frames; t++)
            {
                onset[t] += Math.Max(0, row[t] - row[t - 1]) / rows;
            }
        }

        return onset;
    }

    /// <summary>The global tempo of an onset-strength envelope (see the class summary); null without onsets.</summary>
    public static double? FromOnsets(double[] onset, double framesPerSecond)
    {
        var frames = onset.Length;
        var maxLag = Math.Min(frames - 1, (int)(MaxLagSeconds * framesPerSecond));
        if (maxLag < 2)
        {
            return null;
        }

        var score = new double[maxLag + 1];
        var best = -1;
        for (var lag = 1; lag <= maxLag; lag++)
        {
            var sum = 0.0;
            for (var t = 0; t + lag < frames; t++)
            {
                sum += onset[t] * onset[t + lag];
            }

            var bpm = 60 * framesPerSecond / lag;
            var prior = Math.Exp(-0.5 * Math.Pow(Math.Log2(bpm) - Math.Log2(StartBpm), 2));
            score[lag] = sum * prior;
            if (score[lag] > 0 && (best < 0 || score[lag] > score[best]))
            {
                best = lag;
            }
        }

        if (best < 0)
        {
            return null;
        }

        var refined = (double)best;
        if (best > 1 && best < maxLag)
        {
            var (a, b, c) = (score[best - 1], score[best], score[best + 1]);
            var denominator = a - (2 * b) + c;
            if (denominator < 0)
            {
                refined += 0.5 * (a - c) / denominator;
            }
        }

        return Math.Round(60 * framesPerSecond / refined, 2);
    }
}
