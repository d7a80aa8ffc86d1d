using NWaves.Transforms;

namespace VmNet.AudioFeatures;

/// <summary>
/// librosa 0.5.1 <c>istft</c> then <c>fix_length</c>, as <c>effects.hpss</c> calls them: overlap-add of windowed
/// inverse FFTs divided by the summed squared window, n_fft/2 trimmed from both ends, then cut or zero-padded to
/// the input length. Quirk kept: the frames cover 2048 + 512·682 samples, so the last 256 output samples are zeros.
/// </summary>
public sealed class Istft(int nFft, int hop)
{
    private readonly RealFft _fft = new(nFft);
    private readonly float[] _window = Stft.PeriodicHann(nFft);
    private readonly float[] _frame = new float[nFft];
    private readonly float[] _re = new float[nFft];
    private readonly float[] _im = new float[nFft];

    /// <summary>Inverts a frame-major spectrum (nFft/2+1 bins per frame) into <paramref name="output"/> (the input length).</summary>
    public void Inverse(ReadOnlySpan<float> re, ReadOnlySpan<float> im, int frames, Span<float> output)
    {
        var bins = (nFft / 2) + 1;
        var full = nFft + (hop * (frames - 1));
        var y = new double[full];
        var norm = new double[full];
        for (var t = 0; t < frames; t++)
        {
            re.Slice(t * bins, bins).CopyTo(_re);
            im.Slice(t * bins, bins).CopyTo(_im);
            _fft.Inverse(_re, _im, _frame);
            var start = t * hop;
            for (var i = 0; i < nFft; i++)
            {
                var w = _window[i];
                y[start + i] += w * _frame[i] / nFft;
                norm[start + i] += w * w;
            }
        }

        output.Clear();
        var offset = nFft / 2;
        var count = Math.Min(output.Length, full - (2 * offset));
        for (var i = 0; i < count; i++)
        {
            var s = norm[offset + i];
            output[i] = (float)(s > float.Epsilon ? y[offset + i] / s : y[offset + i]);
        }
    }
}
