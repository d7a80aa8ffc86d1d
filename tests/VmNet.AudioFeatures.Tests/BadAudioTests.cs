using VmNet.Media;
using VmNet.Testing;

namespace VmNet.AudioFeatures.Tests;

/// <summary>Edge inputs give finite vectors (librosa's log floor) or a clear decode error, never NaN or a crash.</summary>
public sealed class BadAudioTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Silence_gives_a_finite_vector_and_no_tempo()
    {
        var features = new MusicFeatureExtractor().FromSamples(new float[AudioFeatureLayout.ClipSamples]);
        AssertFinite(features);
        Assert.Null(features.TempoBpm);
    }

    [Fact]
    public async Task A_half_second_clip_is_zero_padded()
    {
        using var temp = new TempFolder("audio");
        var file = await TestMedia.AudioOnlyAsync(temp.File("short.wav"), seconds: 0.5, frequency: 660);
        var features = await new MusicFeatureExtractor().FromFileAsync(file, false, TimeSpan.FromMinutes(1), 3600, Ct);
        AssertFinite(features);
        Assert.Equal(0.5, features.DurationSeconds, 0.01);
    }

    [Fact]
    public void Clipped_full_scale_noise_gives_a_finite_vector()
    {
        var random = new Random(11);
        var noise = Enumerable.Range(0, 40 * AudioFeatureLayout.SampleRate)
            .Select(_ => Math.Clamp((float)((random.NextDouble() - 0.5) * 8), -1f, 1f))
            .ToArray();
        var features = new MusicFeatureExtractor().FromSamples(noise);
        AssertFinite(features);
        Assert.NotNull(features.TempoBpm);
    }

    [Fact]
    public async Task A_corrupt_file_is_a_decode_error()
    {
        using var temp = new TempFolder("audio");
        var file = temp.File("corrupt.ogg");
        await File.WriteAllBytesAsync(file, [.. "OggS"u8, .. Enumerable.Range(0, 5000).Select(i => (byte)(i * 37))], Ct);
        await Assert.ThrowsAsync<MediaDecodeException>(() =>
            new MusicFeatureExtractor().FromFileAsync(file, false, TimeSpan.FromMinutes(1), 3600, Ct));
    }

    [Fact]
    public async Task Audio_longer_than_allowed_is_refused()
    {
        using var temp = new TempFolder("audio");
        var file = await TestMedia.AudioOnlyAsync(temp.File("long.wav"), seconds: 4);
        var error = await Assert.ThrowsAsync<MediaDecodeException>(() =>
            new MusicFeatureExtractor().FromFileAsync(file, false, TimeSpan.FromMinutes(1), 2, Ct));
        Assert.Contains("allowed", error.Message, StringComparison.Ordinal);
    }

    private static void AssertFinite(MusicFeatures features)
    {
        Assert.Equal(AudioFeatureLayout.TrackDimension, features.Vector.Length);
        Assert.Equal(AudioFeatureLayout.Frames, features.Frames);
        Assert.All(features.Vector, v => Assert.True(float.IsFinite(v), "non-finite feature"));
    }
}
