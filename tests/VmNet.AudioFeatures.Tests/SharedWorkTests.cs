using NWaves.Transforms;

namespace VmNet.AudioFeatures.Tests;

/// <summary>
/// The speed-ups that share or split work must not change a value: the tuning taken from the MFCC's STFT pass is the
/// one estimate_tuning's own STFT gives, and a track on two cores is bit for bit the track on one.
/// </summary>
public sealed class SharedWorkTests
{
    [Theory]
    [InlineData("battle-epic")]
    [InlineData("elf-land")]
    public void The_even_frames_of_the_mfcc_stft_are_estimate_tunings_stft(string name)
    {
        var y = ReferenceData.Signal(name);
        var hop256 = new Stft64(2048, AudioFeatureLayout.HopLength);
        var hop512 = new Stft64(2048, 512);
        var bins = hop256.Bins;
        var power = new float[hop256.FrameCount(y.Length) * bins];
        var shared = new float[hop512.FrameCount(y.Length) * bins];
        hop256.Compute(y, power, shared, 2);
        var own = new float[shared.Length];
        hop512.Compute(y, default, own);

        Assert.Equal(own, shared);
        Assert.Equal(
            MusicFeatureExtractor.CqtTuning(y),
            TuningEstimator.Estimate(shared, bins, AudioFeatureLayout.SampleRate, 2048));
        // Power is the square of the float32 magnitude (numpy's np.abs(S)**2), frame for frame.
        for (var k = 0; k < bins; k++)
        {
            Assert.Equal(own[bins + k] * own[bins + k], power[(2 * bins) + k]);
        }
    }

    [Theory]
    [InlineData("battle-epic")]
    [InlineData("elf-land")]
    public void A_track_on_two_cores_is_the_track_on_one(string name)
    {
        var clip = ReferenceData.Signal(name);
        var one = new MusicFeatureExtractor().FromClip(clip, keepFrames: true);
        var two = new MusicFeatureExtractor(parallel: true).FromClip(clip, keepFrames: true);

        Assert.Equal(one.Vector, two.Vector);
        Assert.Equal(one.FrameMatrix, two.FrameMatrix);
        Assert.Equal(one.TempoBpm, two.TempoBpm);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(128)]
    [InlineData(2048)]
    public void A_batched_fft_is_each_lanes_own_fft(int n)
    {
        var lanes = BatchRealFft<double>.Lanes;
        var random = new Random(n);
        var frames = new double[n * lanes];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = random.NextDouble() - 0.5;
        }

        var fft = new BatchRealFft<double>(n);
        var re = new double[fft.Bins * lanes];
        var im = new double[fft.Bins * lanes];
        fft.Forward(frames, re, im);
        var back = new double[frames.Length];
        fft.Inverse(re, im, back);
        var reference = new RealFft64(n);
        for (var l = 0; l < lanes; l++)
        {
            var x = new double[n];
            for (var i = 0; i < n; i++)
            {
                x[i] = frames[(i * lanes) + l];
            }

            var r = new double[n];
            var m = new double[n];
            reference.Direct(x, r, m);
            for (var k = 0; k < fft.Bins; k++)
            {
                Assert.Equal(r[k], re[(k * lanes) + l], 1e-9);
                Assert.Equal(m[k], im[(k * lanes) + l], 1e-9);
            }

            Assert.Equal(0, im[l]);
            Assert.Equal(0, im[((n / 2) * lanes) + l]);
            for (var i = 0; i < n; i++)
            {
                // Unnormalised, as NWaves' inverse: n times the frame.
                Assert.Equal(n * x[i], back[(i * lanes) + l], 1e-9);
            }
        }
    }

    [Theory]
    [InlineData(2048, 256)]
    [InlineData(512, 256)]
    [InlineData(128, 4)]
    public void Stft_frames_do_not_depend_on_the_batch_they_are_computed_in(int nFft, int hop)
    {
        var y = ReferenceData.Signal("elf-land").AsSpan(0, 40 * 1024).ToArray();
        var stft = new Stft(nFft, hop, Stft.PeriodicHann(nFft));
        var frames = stft.FrameCount(y.Length);
        var whole = new float[frames * stft.Bins];
        stft.Magnitudes(y, whole, 1);

        // Odd-sized pieces put every frame, the reflected edge frames included, into other lanes and other batches.
        var pieces = new float[whole.Length];
        for (var first = 0; first < frames; first += 3)
        {
            var count = Math.Min(3, frames - first);
            stft.Magnitudes(y, pieces.AsSpan(first * stft.Bins, count * stft.Bins), 1, first, count);
        }

        Assert.Equal(whole, pieces);

        // Stft64: the power pass batches frames 0–3, 4–7, …; a magnitude pass with stride 3 batches 0, 3, 6, 9, ….
        var wide = new Stft64(2048, hop);
        var power = new float[wide.FrameCount(y.Length) * wide.Bins];
        wide.Compute(y, power, default);
        var third = new float[((wide.FrameCount(y.Length) + 2) / 3) * wide.Bins];
        wide.Compute(y, default, third, 3);
        for (var t = 0; t < third.Length / wide.Bins; t++)
        {
            for (var k = 0; k < wide.Bins; k++)
            {
                Assert.Equal(power[(3 * t * wide.Bins) + k], third[(t * wide.Bins) + k] * third[(t * wide.Bins) + k]);
            }
        }

    }

    [Fact]
    public async Task Preparing_the_code_compiles_every_method_without_a_fault()
    {
        // The CLI does not await it: a fault would go unseen there, so it must have none to hide.
        await MusicFeatureExtractor.PrepareAsync().WaitAsync(TestContext.Current.CancellationToken);
    }
}
