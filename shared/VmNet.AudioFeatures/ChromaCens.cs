using NWaves.Windows;

namespace VmNet.AudioFeatures;

/// <summary>
/// librosa 0.5.1 <c>chroma_cens(y, sr, hop_length)</c>: |CQT| folded to 12 pitch classes, L1-normalised per frame,
/// quantised at 0.4 / 0.2 / 0.1 / 0.05 (0.25 each), smoothed over time by a 41-point Hann (scipy <c>hanning(43)</c>, symmetric,
/// zero ends, unit sum; zero beyond the clip), then L2-normalised per frame.
/// </summary>
public static class ChromaCens
{
    public const int Chroma = 12;
    public const int Smoothing = 41;
    private static readonly float[] QuantSteps = [0.4f, 0.2f, 0.1f, 0.05f];

    /// <param name="cqt">84 rows × frames</param>
    /// <param name="output">12 rows × frames</param>
    public static void FromCqt(ReadOnlySpan<float> cqt, Span<float> output)
    {
        var frames = cqt.Length / ConstantQ.BinCount;
        output.Clear();
        for (var bin = 0; bin < ConstantQ.BinCount; bin++)
        {
            var dst = output.Slice(bin % Chroma * frames, frames);
            var src = cqt.Slice(bin * frames, frames);
            for (var t = 0; t < frames; t++)
            {
                dst[t] += src[t];
            }
        }

        FrameNorm.Normalize(output, Chroma, 1);
        Quantise(output);
        Smooth(output, frames);
        FrameNorm.Normalize(output, Chroma, 2);
    }

    public static void Quantise(Span<float> chroma)
    {
        for (var i = 0; i < chroma.Length; i++)
        {
            var q = 0f;
            foreach (var step in QuantSteps)
            {
                q += chroma[i] > step ? 0.25f : 0f;
            }

            chroma[i] = q;
        }
    }

    /// <summary>scipy <c>convolve2d(x, hanning(43)/sum, mode='same', boundary='fill')</c> along time, per row.</summary>
    public static void Smooth(Span<float> matrix, int frames)
    {
        var window = Window.OfType(WindowType.Hann, Smoothing + 2).Select(w => (double)w).ToArray();
        var total = window.Sum();
        var half = window.Length / 2;
        var row = new float[frames];
        for (var r = 0; r < matrix.Length / frames; r++)
        {
            var span = matrix.Slice(r * frames, frames);
            span.CopyTo(row);
            for (var t = 0; t < frames; t++)
            {
                var sum = 0.0;
                for (var k = 0; k < window.Length; k++)
                {
                    var i = t + half - k;
                    if (i >= 0 && i < frames)
                    {
                        sum += window[k] * row[i];
                    }
                }

                span[t] = (float)(sum / total);
            }
        }
    }
}
