namespace VmNet.AudioFeatures;

/// <summary>
/// librosa 0.5.1 <c>istft</c> then <c>fix_length</c>, as <c>effects.hpss</c> calls them: overlap-add of windowed
/// inverse FFTs divided by the summed squared window, n_fft/2 trimmed from both ends, then cut or zero-padded to
/// the input length. Quirk kept: the frames cover 2048 + 512·682 samples, so the last 256 output samples are zeros.
/// </summary>
public sealed class Istft(int nFft, int hop)
{
    private readonly BatchRealFft<float> _fft = new(nFft);
    private readonly float[] _window = Stft.PeriodicHann(nFft);
    private readonly float[] _frames = new float[nFft * BatchRealFft<float>.Lanes];
    private readonly float[] _re = new float[((nFft / 2) + 1) * BatchRealFft<float>.Lanes];
    private readonly float[] _im = new float[((nFft / 2) + 1) * BatchRealFft<float>.Lanes];

    /// <summary>Inverts a frame-major spectrum (nFft/2+1 bins per frame) into <paramref name="output"/> (the input length).</summary>
    public void Inverse(ReadOnlySpan<float> re, ReadOnlySpan<float> im, int frames, Span<float> output)
    {
        var bins = (nFft / 2) + 1;
        var lanes = BatchRealFft<float>.Lanes;
        var full = nFft + (hop * (frames - 1));
        var y = new double[full];
        var norm = new double[full];
        for (var t0 = 0; t0 < frames; t0 += lanes)
        {
            var count = Math.Min(lanes, frames - t0);
            Array.Clear(_re);
            Array.Clear(_im);
            for (var l = 0; l < count; l++)
            {
                var rowRe = re.Slice((t0 + l) * bins, bins);
                var rowIm = im.Slice((t0 + l) * bins, bins);
                for (var k = 0; k < bins; k++)
                {
                    _re[(k * lanes) + l] = rowRe[k];
                    _im[(k * lanes) + l] = rowIm[k];
                }
            }

            _fft.Inverse(_re, _im, _frames);
            for (var l = 0; l < count; l++)
            {
                var start = (t0 + l) * hop;
                for (var i = 0; i < nFft; i++)
                {
                    var w = _window[i];
                    y[start + i] += w * _frames[(i * lanes) + l] / nFft;
                    norm[start + i] += w * w;
                }
            }
        }

        output.Clear();
        var offset = nFft / 2;
        var count2 = Math.Min(output.Length, full - (2 * offset));
        for (var i = 0; i < count2; i++)
        {
            var s = norm[offset + i];
            output[i] = (float)(s > float.Epsilon ? y[offset + i] / s : y[offset + i]);
        }
    }
}
