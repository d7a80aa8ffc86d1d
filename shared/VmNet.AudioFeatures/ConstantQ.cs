using System.Numerics;

namespace VmNet.AudioFeatures;

/// <summary>
/// |CQT| as librosa 0.5.1 <c>cqt</c> computes it for chroma_cens at 12 kHz: 84 bins from C1, 12 per octave, hop 256,
/// Hann filters of Q = 1/(2^(1/12) − 1) built once for the top octave (L1-normalised, scaled by length/n_fft,
/// FFT'd to 128 points, sparsified to 99 % of their mass), applied to rectangular-window STFTs of the signal
/// halved six times by <see cref="HalfbandDecimator"/>, then divided by sqrt(filter length).
/// At 12 kHz no early downsampling happens (filter cutoff 4127 Hz is below resampy's 0.868 · Nyquist).
/// </summary>
public sealed class ConstantQ
{
    public const int BinsPerOctave = 12;
    public const int Octaves = 7;
    public const int BinCount = BinsPerOctave * Octaves;
    public const double Sparsity = 0.01;

    /// <summary>note_to_hz('C1').</summary>
    public static readonly double Fmin = 440.0 * Math.Pow(2.0, (24 - 69) / 12.0);

    public static readonly double Q = 1.0 / (Math.Pow(2.0, 1.0 / BinsPerOctave) - 1);

    private readonly int _sampleRate;
    private readonly int _hop;

    public ConstantQ(int sampleRate, int hop)
    {
        if (hop % (1 << (Octaves - 1)) != 0)
        {
            throw new ArgumentException($"hop {hop} must be a multiple of {1 << (Octaves - 1)} for a {Octaves}-octave CQT");
        }

        _sampleRate = sampleRate;
        _hop = hop;
    }

    /// <summary>Filter lengths in samples for all 84 bins (librosa <c>constant_q_lengths</c>).</summary>
    public double[] Lengths(double tuning, int bins = BinCount, double fmin = double.NaN)
    {
        var f0 = (double.IsNaN(fmin) ? Fmin : fmin) * Math.Pow(2.0, tuning / BinsPerOctave);
        var lengths = new double[bins];
        for (var k = 0; k < bins; k++)
        {
            lengths[k] = Q * _sampleRate / (f0 * Math.Pow(2.0, (double)k / BinsPerOctave));
        }

        return lengths;
    }

    /// <summary>Writes |C| (84 rows × frames, row-major) for signal <paramref name="y"/>.</summary>
    public void Magnitudes(ReadOnlySpan<float> y, double tuning, Span<float> output)
    {
        var (basis, nFft) = TopOctaveBasis(tuning);
        var frames = 1 + (y.Length / _hop);
        var stft = new Stft(nFft, _hop, Stft.Ones(nFft));
        var bins = stft.Bins;
        var re = new float[frames * bins];
        var im = new float[frames * bins];
        var signal = y.ToArray();
        var hop = _hop;
        for (var octave = 0; octave < Octaves; octave++)
        {
            if (octave > 0)
            {
                signal = HalfbandDecimator.Decimate(signal);
                hop /= 2;
            }

            var octaveStft = new Stft(nFft, hop, Stft.Ones(nFft));
            octaveStft.Forward(signal, re, im);
            for (var j = 0; j < BinsPerOctave; j++)
            {
                var row = (BinsPerOctave * (Octaves - 1 - octave)) + j;
                var filter = basis[j];
                for (var t = 0; t < frames; t++)
                {
                    // fft_basis · conj(X): librosa 0.5.1's stft returns the conjugate spectrum.
                    double sr = 0, si = 0;
                    var at = t * bins;
                    foreach (var (f, b) in filter)
                    {
                        var xr = re[at + f];
                        var xi = -im[at + f];
                        sr += (b.Real * xr) - (b.Imaginary * xi);
                        si += (b.Real * xi) + (b.Imaginary * xr);
                    }

                    output[(row * frames) + t] = (float)Math.Sqrt((sr * sr) + (si * si));
                }
            }
        }

        var lengths = Lengths(tuning);
        for (var row = 0; row < BinCount; row++)
        {
            var scale = 1 / Math.Sqrt(lengths[row]);
            var span = output.Slice(row * frames, frames);
            for (var t = 0; t < frames; t++)
            {
                span[t] = (float)(span[t] * scale);
            }
        }
    }

    /// <summary>The sparse FFT of the top octave's 12 filters (librosa <c>__cqt_filter_fft</c>).</summary>
    public ((int Bin, Complex Weight)[][] Basis, int NFft) TopOctaveBasis(double tuning)
    {
        var fminTop = Fmin * Math.Pow(2.0, (double)(BinCount - BinsPerOctave) / BinsPerOctave);
        var lengths = Lengths(tuning, BinsPerOctave, fminTop);
        var nFft = (int)Math.Pow(2, Math.Ceiling(Math.Log2(lengths.Max())));
        var half = (nFft / 2) + 1;
        var basis = new (int, Complex)[BinsPerOctave][];
        for (var j = 0; j < BinsPerOctave; j++)
        {
            var length = lengths[j];
            var freq = Q * _sampleRate / length;
            var count = (int)Math.Ceiling(length);
            var window = Stft.PeriodicHann((int)Math.Floor(length));
            var l1 = window.Sum(w => (double)w);
            var time = new Complex[nFft];
            var lpad = (nFft - count) / 2;
            for (var n = 0; n < window.Length; n++)
            {
                var phase = 2 * Math.PI * freq * n / _sampleRate;
                time[lpad + n] = Complex.FromPolarCoordinates(window[n] / l1, phase) * (length / nFft);
            }

            var spectrum = new Complex[half];
            for (var f = 0; f < half; f++)
            {
                var sum = Complex.Zero;
                for (var n = 0; n < nFft; n++)
                {
                    if (time[n] != Complex.Zero)
                    {
                        sum += time[n] * Complex.FromPolarCoordinates(1, -2 * Math.PI * f * n / nFft);
                    }
                }

                spectrum[f] = sum;
            }

            basis[j] = Sparsify(spectrum);
        }

        return (basis, nFft);
    }

    /// <summary>librosa <c>util.sparsify_rows</c>: drops the smallest entries that together hold under 1 % of the row's L1 mass.</summary>
    public static (int Bin, Complex Weight)[] Sparsify(Complex[] row, double quantile = Sparsity)
    {
        var mags = row.Select(c => c.Magnitude).ToArray();
        var sorted = mags.Order().ToArray();
        var norm = mags.Sum();
        var cumulative = 0.0;
        var threshold = sorted[0];
        for (var i = 0; i < sorted.Length; i++)
        {
            cumulative += sorted[i] / norm;
            if (cumulative >= quantile)
            {
                threshold = sorted[i];
                break;
            }
        }

        return row.Select((c, f) => (f, c)).Where(p => mags[p.f] >= threshold).ToArray();
    }
}
