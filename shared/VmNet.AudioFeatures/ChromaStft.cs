using NWaves.Filters.Fda;

namespace VmNet.AudioFeatures;

/// <summary>
/// librosa 0.5.1 <c>chroma_stft(y, sr=12000, n_fft=512, hop_length=256)</c>: tuning estimated from the power spectrogram,
/// NWaves' librosa-style chroma filter bank (A440 shifted by the tuning), max-normalised per frame.
/// </summary>
public static class ChromaStft
{
    public const int Chroma = 12;

    /// <param name="power">frame-major |STFT|² (n_fft 512)</param>
    /// <param name="output">12 rows × frames</param>
    public static void Compute(ReadOnlySpan<float> power, int nFft, int sampleRate, Span<float> output)
    {
        var bins = (nFft / 2) + 1;
        var tuning = TuningEstimator.Estimate(power, bins, sampleRate, nFft, Chroma);
        new FilterBank(FilterBanks.Chroma(nFft, sampleRate, Chroma, tuning)).Apply(power, output);
        FrameNorm.Normalize(output, Chroma, double.PositiveInfinity);
    }
}
