using NWaves.Transforms;

namespace VmNet.AudioFeatures.Tests;

/// <summary>Each DSP piece on small inputs whose answers can be worked out by hand.</summary>
public sealed class DspTests
{
    private const float Tolerance = 1e-5f;

    [Fact]
    public void Sliding_median_repeats_the_edge_like_scipy_reflect()
    {
        var output = new float[5];
        new SlidingMedian(3).Filter([1, 5, 2, 8, 3], output);
        Assert.Equal([1f, 2f, 5f, 3f, 3f], output);
        Assert.Equal(0, SlidingMedian.ReflectEdge(-1, 5));
        Assert.Equal(1, SlidingMedian.ReflectEdge(-2, 5));
        Assert.Equal(4, SlidingMedian.ReflectEdge(5, 5));
    }

    [Theory]
    [InlineData(31, 200, true)]
    [InlineData(31, 200, false)]
    [InlineData(31, 12, true)]
    [InlineData(3, 50, true)]
    [InlineData(3, 50, false)]
    public void Sliding_median_matches_sorting_each_window(int size, int length, bool vectorised)
    {
        // Rounded values: many ties, which the window must remove and insert one at a time.
        var random = new Random(size + length);
        var line = Enumerable.Range(0, length).Select(_ => (float)Math.Round(random.NextDouble() * 10)).ToArray();
        var output = new float[line.Length];
        new SlidingMedian(size, vectorised).Filter(line, output);
        for (var i = 0; i < line.Length; i++)
        {
            var window = Enumerable.Range(i - (size / 2), size).Select(j => line[SlidingMedian.ReflectEdge(j, line.Length)]).Order().ToArray();
            Assert.Equal(window[size / 2], output[i]);
        }
    }

    [Fact]
    public void Soft_masks_are_squared_shares_and_split_silence()
    {
        var (h, p) = Hpss.SoftMasks(3, 4);
        Assert.Equal(9f / 25, h, Tolerance);
        Assert.Equal(16f / 25, p, Tolerance);
        Assert.Equal((0.5f, 0.5f), Hpss.SoftMasks(0, 0));
    }

    [Fact]
    public void Log_amplitude_uses_magnitude_against_the_block_maximum_with_an_80_dB_floor()
    {
        float[] block = [1f, 0.1f, -0.01f, 0f];
        Decibels.LogAmplitudeRefMax(block);
        Assert.Equal([0f, -10f, -20f, -80f], block.Select(v => MathF.Round(v, 4)));
    }

    [Fact]
    public void Delta_of_a_ramp_is_one_inside_half_at_the_clamped_edges_and_order_two_lags()
    {
        var ramp = Enumerable.Range(0, 20).Select(t => (float)t).ToArray();
        var first = new float[20];
        var second = new float[20];
        Delta.Compute(ramp, 1, 1, first);
        Delta.Compute(ramp, 1, 2, second);
        Assert.Equal(0.5f, first[0], Tolerance);
        Assert.All(first[4..16], v => Assert.Equal(1f, v, Tolerance));
        
        // 0.5.1 filters the already-filtered, untrimmed signal again, so order 2 lags by 4 frames: frame t is the delta of
        // the delta at t - 4, zero only where that is clear of both edges.
        Assert.All(second[12..16], v => Assert.Equal(0f, v, Tolerance));
        Assert.NotEqual(0f, second[8], Tolerance);
    }

    [Fact]
    public void Periodic_hann_and_the_stft_of_a_bin_centred_cosine()
    {
        Assert.Equal([0f, 0.5f, 1f, 0.5f], Stft.PeriodicHann(4).Select(v => MathF.Round(v, 6)));
        const int n = 64;
        var signal = Enumerable.Range(0, 4 * n).Select(i => MathF.Cos(2 * MathF.PI * 8 * i / n)).ToArray();
        var stft = new Stft(n, n / 4, Stft.PeriodicHann(n));
        var mags = new float[stft.FrameCount(signal.Length) * stft.Bins];
        stft.Magnitudes(signal, mags, 1);
        var frame = mags.AsSpan(8 * stft.Bins, stft.Bins);

        // Σ w·cos² at the bin = N · mean(w) / 2 = N / 4; the neighbours get half of that from the Hann side lobes.
        Assert.Equal(n / 4f, frame[8], 1e-3f);
        Assert.Equal(n / 8f, frame[7], 1e-3f);
        Assert.Equal(0f, frame[20], 1e-3f);
    }

    [Fact]
    public void Istft_inverts_the_stft_except_the_uncovered_tail()
    {
        var random = new Random(3);
        var signal = Enumerable.Range(0, 8192).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var stft = new Stft(Hpss.NFft, Hpss.Hop, Stft.PeriodicHann(Hpss.NFft));
        var frames = stft.FrameCount(signal.Length);
        var re = new float[frames * stft.Bins];
        var im = new float[frames * stft.Bins];
        stft.Forward(signal, re, im);
        var back = new float[signal.Length];
        new Istft(Hpss.NFft, Hpss.Hop).Inverse(re, im, frames, back);
        for (var i = 0; i < signal.Length; i++)
        {
            Assert.Equal(signal[i], back[i], 1e-4f);
        }
    }

    [Fact]
    public void Halfband_decimator_passes_dc_with_gain_two_and_keeps_ceil_half_the_samples()
    {
        var ones = Enumerable.Repeat(1f, 401).ToArray();
        var half = HalfbandDecimator.Decimate(ones);
        Assert.Equal(201, half.Length);
        Assert.Equal(0f, half[^1]);
        Assert.Equal(2f, half[100], 2e-3f);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(37)]
    public void Halfband_decimator_is_the_symmetric_fir_at_every_other_sample(int length)
    {
        var random = new Random(length);
        var x = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var half = HalfbandDecimator.Decimate(x);
        var taps = HalfbandDecimator.Taps.ToArray();
        for (var t = 0; t < length / 2; t++)
        {
            // The definition, samples outside the signal being zero.
            var expected = 0.0;
            for (var m = -(taps.Length - 1); m < taps.Length; m++)
            {
                var i = (2 * t) + m;
                expected += i >= 0 && i < length ? taps[Math.Abs(m)] * x[i] : 0;
            }

            Assert.Equal(expected, half[t], 1e-6);
        }
    }

    [Fact]
    public void Pitch_tuning_picks_the_most_common_deviation()
    {
        var sharp = 440 * Math.Pow(2, 0.25 / 12);
        Assert.Equal(0.25, TuningEstimator.PitchTuning([sharp, sharp * 2, sharp / 2, 440]), 1e-9);
        Assert.Equal(0.0, TuningEstimator.PitchTuning([]));
    }

    [Fact]
    public void Dct_basis_is_nwaves_orthonormal_dct2()
    {
        var x = Enumerable.Range(0, 128).Select(i => MathF.Sin(i * 0.3f) + (i * 0.01f)).ToArray();
        var expected = new float[128];
        new Dct2(128).DirectNorm(x, expected);
        var basis = Mfcc.DctBasis(20, 128);
        for (var i = 0; i < 20; i++)
        {
            var sum = 0.0;
            for (var j = 0; j < 128; j++)
            {
                sum += basis[(i * 128) + j] * x[j];
            }

            Assert.Equal(expected[i], sum, 1e-3);
        }
    }

    [Fact]
    public void Chroma_cens_quantises_at_four_steps()
    {
        float[] chroma = [0.5f, 0.3f, 0.15f, 0.07f, 0.01f];
        ChromaCens.Quantise(chroma);
        Assert.Equal([1f, 0.75f, 0.5f, 0.25f, 0f], chroma);
    }

    [Fact]
    public void Rms_and_zero_crossings_of_simple_signals()
    {
        var rms = new float[5];
        FrameRms.Compute(Enumerable.Repeat(0.5f, 8).ToArray(), 4, 2, rms);
        Assert.All(rms, v => Assert.Equal(0.5f, v, Tolerance));

        var zcr = new float[5];
        ZeroCrossingRate.Compute([1, -1, 1, -1, 1, -1, 1, -1], 4, 2, zcr);
        Assert.Equal(0.75f, zcr[2], Tolerance);
        var quiet = new float[5];
        ZeroCrossingRate.Compute([1e-11f, -1e-11f, 1e-11f, -1e-11f, 1, 1, 1, 1], 4, 2, quiet);
        Assert.Equal(0f, quiet[1], Tolerance);
    }

    [Fact]
    public void Spectral_shape_of_a_single_peak()
    {
        const int bins = 257;
        var frame = new float[bins];
        frame[64] = 2;
        float[] centroid = [0], bandwidth = [0], rolloff = [0];
        SpectralShape.Compute(frame, bins, 12000, centroid, bandwidth, rolloff);
        Assert.Equal(64 * 6000f / 256, centroid[0], 1e-3f);
        Assert.Equal(0f, bandwidth[0], 1e-3f);
        Assert.Equal(64 * 6000f / 256, rolloff[0], 1e-3f);
    }

    [Fact]
    public void Poly_features_recover_a_line_and_a_parabola()
    {
        const int bins = 257;
        var f = Enumerable.Range(0, bins).Select(k => k * 6000.0 / 256).ToArray();
        var line = f.Select(x => (float)(3 - (0.001 * x))).ToArray();
        var parabola = f.Select(x => (float)(1 + (2e-4 * x) + (3e-8 * x * x))).ToArray();
        var c1 = new float[2];
        var c2 = new float[3];
        new PolyFeatures(1, bins, 12000).Compute(line, c1);
        new PolyFeatures(2, bins, 12000).Compute(parabola, c2);
        Assert.Equal(-0.001, c1[0], 1e-7);
        Assert.Equal(3, c1[1], 1e-4);
        Assert.Equal(3e-8, c2[0], 1e-11);
        Assert.Equal(2e-4, c2[1], 1e-7);
        Assert.Equal(1, c2[2], 1e-3);
    }

    [Fact]
    public void Centre_clip_crops_the_middle_and_pads_the_end()
    {
        var longer = Enumerable.Range(0, AudioFeatureLayout.ClipSamples + 11).Select(i => (float)i).ToArray();
        var clip = MusicFeatureExtractor.CentreClip(longer);
        Assert.Equal(5f, clip[0]);
        Assert.Equal(AudioFeatureLayout.ClipSamples, clip.Length);
        var shorter = MusicFeatureExtractor.CentreClip([1f, float.NaN, 3f]);
        Assert.Equal([1f, 0f, 3f, 0f], shorter[..4]);
    }

    [Fact]
    public void Layout_names_every_index()
    {
        Assert.Equal(AudioFeatureLayout.PerComponent, AudioFeatureLayout.Blocks.Sum(b => b.Size));
        var (stat, component, block, dim) = AudioFeatureLayout.Describe(380 + 190 + 24 + 5);
        Assert.Equal(("variance", "percussive", "melspectrogram", 5), (stat, component, block.Name, dim));
        Assert.Equal(1139, AudioFeatureLayout.IndexOf(2, 1, AudioFeatureLayout.Blocks[^1]));
        var layout = File.ReadAllLines(Path.Combine(ReferenceData.Folder, "vector_layout.csv")).Skip(1).Select(l => l.Split(','));
        foreach (var cells in layout)
        {
            var d = AudioFeatureLayout.Describe(int.Parse(cells[0], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal((cells[1], cells[3], cells[4], cells[5]), (d.Statistic == "variance" ? "var" : d.Statistic, d.Component, d.Block.Name, d.DimInBlock.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}
