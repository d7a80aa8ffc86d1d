namespace VmNet.AudioFeatures;

/// <summary>librosa 0.5.1 <c>power_to_db</c> (alias <c>logamplitude</c>) over one whole block matrix.</summary>
public static class Decibels
{
    public const double Amin = 1e-10;
    public const double TopDb = 80;

    /// <summary>
    /// The recipe's <c>logamplitude(S, ref_power=np.max)</c>: 10·log10(max(amin, |S|)) − 10·log10(max(amin, max|S|)),
    /// floored at the block maximum − 80 dB. Uses |S|, so negative MFCC, delta and polynomial values turn positive.
    /// </summary>
    public static void LogAmplitudeRefMax(Span<float> block)
    {
        var peak = 0.0;
        foreach (var v in block)
        {
            peak = Math.Max(peak, Math.Abs(v));
        }

        Apply(block, 10 * Math.Log10(Math.Max(Amin, peak)));
    }

    /// <summary><c>power_to_db(S)</c> with ref 1.0, as <c>mfcc</c> applies it to the mel power spectrogram.</summary>
    public static void PowerToDb(Span<float> block) => Apply(block, 0);

    private static void Apply(Span<float> block, double reference)
    {
        var top = double.NegativeInfinity;
        for (var i = 0; i < block.Length; i++)
        {
            var db = (10 * Math.Log10(Math.Max(Amin, Math.Abs(block[i])))) - reference;
            block[i] = (float)db;
            top = Math.Max(top, db);
        }

        var floor = (float)(top - TopDb);
        for (var i = 0; i < block.Length; i++)
        {
            block[i] = MathF.Max(block[i], floor);
        }
    }
}
