using System.Runtime.InteropServices;
using VmNet.Media;
using VmNet.Testing;

namespace VmNet.AudioFeatures.Tests;

/// <summary>Ingest's float WAV parts are read without FFmpeg, to the same bits; every other file still goes to FFmpeg.</summary>
public sealed class FloatWavTests : IDisposable
{
    private readonly TempFolder _folder = new("float-wav");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_ingest_part_reads_directly_to_exactly_what_ffmpeg_decodes()
    {
        // Written the way ingest writes its audio parts (WAVE_FORMAT_EXTENSIBLE, fact and LIST chunks included).
        var part = _folder.File("part.wav");
        var source = Path.Combine(ReferenceData.Folder, "inputs", "edge_stereo_44k1_16s.wav");
        await FfmpegAsync(FfmpegAudio.MonoArguments(source, AudioFeatureLayout.SampleRate, part, "wav"));

        var direct = FloatWav.TryReadMono(part, AudioFeatureLayout.SampleRate);
        Assert.NotNull(direct);
        var viaFfmpeg = MemoryMarshal.Cast<byte, float>(
            (await FfmpegAsync(FfmpegAudio.MonoArguments(part, AudioFeatureLayout.SampleRate, "pipe:1", "f32le"))).StandardOutput).ToArray();
        Assert.Equal(16 * AudioFeatureLayout.SampleRate, direct.Length);
        Assert.Equal(viaFfmpeg, direct);
    }

    [Theory]
    [InlineData("-c:a", "pcm_s16le", "-ac", "1", "-ar", "12000")] // integer samples
    [InlineData("-c:a", "pcm_f32le", "-ac", "2", "-ar", "12000")] // stereo
    [InlineData("-c:a", "pcm_f32le", "-ac", "1", "-ar", "44100")] // another rate
    public async Task Other_wavs_are_left_to_ffmpeg(params string[] codec)
    {
        var wav = _folder.File("other.wav");
        await FfmpegAsync(["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", .. codec, wav]);
        Assert.Null(FloatWav.TryReadMono(wav, AudioFeatureLayout.SampleRate));
        Assert.NotEmpty(await FfmpegAudio.DecodeMonoAsync(wav, AudioFeatureLayout.SampleRate, TimeSpan.FromMinutes(1), Ct));
    }

    [Fact]
    public async Task Not_a_wav_or_a_torn_header_is_left_to_ffmpeg()
    {
        var ogg = Path.Combine(ReferenceData.Folder, "inputs", "elf-land.ogg");
        Assert.Null(FloatWav.TryReadMono(ogg, AudioFeatureLayout.SampleRate));

        var torn = _folder.File("torn.wav");
        await File.WriteAllBytesAsync(torn, "RIFF\0\0\0\0WAVEfmt "u8.ToArray(), Ct);
        Assert.Null(FloatWav.TryReadMono(torn, AudioFeatureLayout.SampleRate));
        await Assert.ThrowsAsync<MediaDecodeException>(() => FfmpegAudio.DecodeMonoAsync(torn, AudioFeatureLayout.SampleRate, TimeSpan.FromMinutes(1), Ct));
    }

    public void Dispose() => _folder.Dispose();

    private static async Task<ProcessRunner.Result> FfmpegAsync(IReadOnlyList<string> arguments)
    {
        var result = await ProcessRunner.RunAsync(FfmpegAudio.FfmpegProgram, arguments, TimeSpan.FromMinutes(1), Ct, captureStdout: true);
        Assert.True(result.ExitCode == 0, result.StandardError);
        return result;
    }
}
