using VmNet.Media;
using VmNet.Testing;

namespace VmNet.AudioFeatures.Tests;

/// <summary>
/// Decoding only the centre window gives exactly the samples the whole decode holds there, on the long reference track
/// and on long tracks FFmpeg encodes here (MP3 and AAC add encoder delay and priming, which would move the centre:
/// those are decoded whole).
/// </summary>
public sealed class CentreWindowTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Encodings => ["reference", "libmp3lame", "aac", "libvorbis", "flac", "pcm_s16le"];

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task The_centre_window_holds_the_samples_of_the_whole_decode(string encoder)
    {
        using var folder = new TempFolder("window");
        var path = ReferenceData.Inputs.Single(i => i.Name == "battle-epic").File;
        if (encoder != "reference")
        {
            // 48 s of 44.1 kHz stereo: the 16 s reference WAV three times over.
            var wav = ReferenceData.Inputs.Single(i => i.Name == "edge_stereo_44k1_16s").File;
            path = folder.File("long." + (encoder switch { "libmp3lame" => "mp3", "aac" => "m4a", "libvorbis" => "ogg", "flac" => "flac", _ => "wav" }));
            var made = await ProcessRunner.RunAsync(
                "ffmpeg",
                ["-nostdin", "-v", "error", "-stream_loop", "2", "-i", wav, "-c:a", encoder, "-y", path],
                Timeout, Ct);
            Assert.True(made.ExitCode == 0, made.StandardError);
        }

        var whole = await FfmpegAudio.DecodeMonoAsync(path, AudioFeatureLayout.SampleRate, Timeout, Ct);
        var window = await FfmpegAudioWindow.DecodeCentreAsync(path, AudioFeatureLayout.SampleRate, AudioFeatureLayout.ClipSamples, Timeout, Ct);
        output.WriteLine($"{encoder}: whole decode {whole.Length} samples, decoded {window.Samples.Length} from {window.WindowStart} of {window.TotalSamples}");
        Assert.Equal(whole.Length, window.TotalSamples);
        var windowed = encoder is not ("libmp3lame" or "aac");
        Assert.Equal(windowed ? AudioFeatureLayout.ClipSamples : whole.Length, window.Samples.Length);
        var expected = MusicFeatureExtractor.CentreClip(whole);
        var got = MusicFeatureExtractor.CentreClip(window.Samples);
        var worst = 0f;
        for (var i = 0; i < expected.Length; i++)
        {
            worst = MathF.Max(worst, MathF.Abs(got[i] - expected[i]));
        }

        Assert.True(worst <= 1e-6f, $"{encoder}: the window differs from the whole decode by up to {worst}");
    }
}
