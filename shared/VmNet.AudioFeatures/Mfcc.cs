using System.Numerics;
using System.Runtime.InteropServices;
using NWaves.Filters.Fda;

namespace VmNet.AudioFeatures;

/// <summary>
/// librosa 0.5.1 <c>mfcc(y, sr=12000, hop_length=256)</c> with its defaults: |STFT 2048|² → 128 Slaney mel bands
/// (NWaves <c>MelBankSlaney</c>, 0–6000 Hz, area-normalised) → <c>power_to_db</c> (ref 1, 80 dB floor over the whole
/// matrix) → the first 20 rows of the orthonormal DCT-II.
/// </summary>
public sealed class Mfcc
{
    public const int NFft = 2048;
    public const int Mels = 128;
    public const int Coefficients = 20;

    private readonly FilterBank _mel;
    private readonly double[] _dct;

    public Mfcc(int sampleRate)
    {
        _mel = new FilterBank(FilterBanks.MelBankSlaney(Mels, NFft, sampleRate, 0, sampleRate / 2.0, true));
        _dct = DctBasis(Coefficients, Mels);
    }

    /// <summary>librosa <c>filters.dct</c>: row 0 = 1/sqrt(n), row i = sqrt(2/n)·cos(i·(2j+1)·π/(2n)) (orthonormal DCT-II).</summary>
    public static double[] DctBasis(int count, int n)
    {
        var basis = new double[count * n];
        for (var i = 0; i < count; i++)
        {
            for (var j = 0; j < n; j++)
            {
                basis[(i * n) + j] = i == 0 ? 1 / Math.Sqrt(n) : Math.Cos(i * ((2 * j) + 1) * Math.PI / (2.0 * n)) * Math.Sqrt(2.0 / n);
            }
        }

        return basis;
    }

    /// <param name="power">frame-major |STFT 2048, hop 256|²</param>
    /// <param name="logMel">scratch, 128 × frames; holds the dB mel spectrogram afterwards (used for tempo)</param>
    /// <param name="output">20 rows × frames</param>
    public void Compute(ReadOnlySpan<float> power, Span<float> logMel, Span<float> output)
    {
        var frames = power.Length / _mel.Bins;
        _mel.Apply(power, logMel);
        Decibels.PowerToDb(logMel);
        for (var i = 0; i < Coefficients; i++)
        {
            var dst = output.Slice(i * frames, frames);
            dst.Clear();
            var acc = new double[frames];
            var lanes = Vector<float>.Count;
            var wide = MemoryMarshal.Cast<double, Vector<double>>(acc.AsSpan(0, frames / lanes * lanes));
            for (var j = 0; j < Mels; j++)
            {
                // acc[t] += w · src[t] in double, two float lanes' halves at a time (the same sums as the scalar loop).
                var w = _dct[(i * Mels) + j];
                var weight = new Vector<double>(w);
                var src = logMel.Slice(j * frames, frames);
                var narrow = MemoryMarshal.Cast<float, Vector<float>>(src);
                for (var v = 0; v < narrow.Length; v++)
                {
                    Vector.Widen(narrow[v], out var low, out var high);
                    wide[2 * v] += weight * low;
                    wide[(2 * v) + 1] += weight * high;
                }

                for (var t = narrow.Length * lanes; t < frames; t++)
                {
                    acc[t] += w * src[t];
                }
            }

            for (var t = 0; t < frames; t++)
            {
                dst[t] = (float)acc[t];
            }
        }
    }
}
