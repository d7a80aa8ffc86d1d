using System.Numerics;

namespace VmNet.AudioFeatures;

/// <summary>
/// The octave step of librosa 0.5.1's CQT: <c>sqrt(2) · resample(y, sr, sr/2, 'kaiser_fast', scale=True)</c> with resampy 0.4.2.
/// At ratio 1/2 resampy's interpolation reduces to a fixed symmetric FIR whose taps are its kaiser_fast half-window at every
/// half zero-crossing; resampy's 1/2 gain, librosa's 1/sqrt(1/2) and the CQT's sqrt(2) cancel. Output length ceil(n/2),
/// the last sample zero when n is odd (resampy makes floor(n/2), librosa pads).
/// </summary>
public static class HalfbandDecimator
{
    /// <summary>
    /// resampy 0.4.2 <c>data/kaiser_fast.npz</c> half_window[256·m], m = 0..47 (rolloff 0.8682120388377784, 24 zero-crossings,
    /// 512 samples each; resampy is ISC-licensed). The table is stored, not recomputed, because its Kaiser β is only published rounded.
    /// </summary>
    public static ReadOnlySpan<double> Taps =>
    [
        0.8682120388377784, 0.6217592766888119, 0.12701514580907763, -0.16944367584481376, -0.11346911784041055,
        0.061759595727013124, 0.09329409364363135, -0.009987639270093801, -0.06953420781370248, -0.017258390867329786,
        0.045489691968870344, 0.02926391058641801, -0.024068423409117017, -0.031050784971504385, 0.0072903361299386975,
        0.02652062138420852, 0.003952025723775442, -0.018963018956684872, -0.009852302313325557, 0.010955932009031066,
        0.011421069135621065, -0.004214349113758106, -0.010093405797582814, -0.00043099149624201664, 0.007332861284017813,
        0.0028962567309195244, -0.004329560220173849, -0.003597468519218373, 0.0018443990117809755, 0.0031729192009752652,
        -0.0001998367132377875, -0.0022484592186111205, -0.000622367343362715, 0.0012904683022665483, 0.0008349460149063188,
        -0.000555421501544425, -0.0007054634185978707, 0.00011545982342244846, 0.0004590974023646989, 7.566684716387557e-05,
        -0.00023527986864544563, -0.00011144427337959396, 8.92725383437577e-05, 7.999091411922693e-05, -1.9090646844881906e-05,
        -3.8606737915486815e-05, -2.2372636024482524e-06, 1.1553978785066268e-05,
    ];

    /// <summary>
    /// out[t] = Σ taps[|m|] · x[2t + m] over |m| ≤ 47, samples outside the signal taken as 0. Computed polyphase: the
    /// even and odd samples (zero-padded, in double) each meet every other tap, so each tap is one SIMD multiply-add
    /// over a run of consecutive outputs instead of a strided scalar loop (the gain is measured in services/audio-features/README.md).
    /// </summary>
    public static float[] Decimate(ReadOnlySpan<float> x)
    {
        var n = x.Length;
        var output = new float[(n + 1) / 2];
        var count = n / 2;
        if (count == 0)
        {
            return output;
        }

        var reach = Taps.Length - 1;
        var pad = reach + 1; // even, so the padded signal keeps each sample's parity
        var lanes = Vector<double>.Count;
        var phase = (n + (2 * pad) + (2 * lanes) + 1) / 2;
        var even = new double[phase];
        var odd = new double[phase];
        for (var i = 0; i < n; i++)
        {
            var at = i + pad;
            (at % 2 == 0 ? even : odd)[at / 2] = x[i];
        }

        // Offset m = 2j meets the even phase, m = 2j + 1 the odd one, j counted from the output's own even sample.
        var centre = pad / 2;
        var evenTaps = new double[reach + 1];
        var oddTaps = new double[reach + 1];
        for (var m = -reach; m <= reach; m++)
        {
            var j = (int)Math.Floor(m / 2.0);
            (m % 2 == 0 ? evenTaps : oddTaps)[j + centre] = Taps[Math.Abs(m)];
        }

        var sums = new double[count + lanes];
        for (var t = 0; t < count; t += lanes)
        {
            var acc = Vector<double>.Zero;
            for (var k = 0; k < evenTaps.Length; k++)
            {
                acc += (new Vector<double>(even, t + k) * evenTaps[k]) + (new Vector<double>(odd, t + k) * oddTaps[k]);
            }

            acc.CopyTo(sums, t);
        }

        for (var t = 0; t < count; t++)
        {
            output[t] = (float)sums[t];
        }

        return output;
    }
}
