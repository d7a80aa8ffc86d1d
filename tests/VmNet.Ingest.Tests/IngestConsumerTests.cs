using MassTransit;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Testing;

namespace VmNet.Ingest.Tests;

public sealed class IngestConsumerTests
{
    [Fact]
    public async Task A_music_video_is_split_into_12kHz_mono_audio_and_the_video_stream()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var file = await TestMedia.MusicVideoAsync(ingest.Media.File("clip.mp4"), seconds: 2);

        var answer = Assert.IsType<MediaIngested>(await ingest.IngestAsync(file, MediaKind.Pair));

        Assert.True(MediaId.IsValid(answer.MediaId));
        Assert.Equal(await MediaId.OfFileAsync(file, CancellationToken.None), answer.MediaId);
        Assert.InRange(answer.DurationSeconds, 1.9, 2.2);
        var audio = new DataDirectory(ingest.Data.Path).ResolveUri(answer.AudioUri!);
        var video = new DataDirectory(ingest.Data.Path).ResolveUri(answer.VideoUri!);
        var audioInfo = await FFMpegCore.FFProbe.AnalyseAsync(audio);
        Assert.Equal(12_000, audioInfo.PrimaryAudioStream!.SampleRateHz);
        Assert.Equal(1, audioInfo.PrimaryAudioStream.Channels);
        Assert.Null(audioInfo.PrimaryVideoStream);
        var videoInfo = await FFMpegCore.FFProbe.AnalyseAsync(video);
        Assert.Null(videoInfo.PrimaryAudioStream);
        Assert.Equal("h264", videoInfo.PrimaryVideoStream!.CodecName);
        Assert.False(await ingest.Harness.Published.Any<Fault<IngestRequested>>());
    }

    [Fact]
    public async Task The_same_media_twice_is_ingested_once_under_one_id()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var file = await TestMedia.MusicVideoAsync(ingest.Media.File("a.mp4"), seconds: 1);
        File.Copy(file, ingest.Media.File("copy.mp4"));

        var first = Assert.IsType<MediaIngested>(await ingest.IngestAsync(file, MediaKind.Pair));
        var audioWritten = File.GetLastWriteTimeUtc(first.AudioUri!.LocalPath);
        var second = Assert.IsType<MediaIngested>(await ingest.IngestAsync(ingest.Media.File("copy.mp4"), MediaKind.Pair));

        Assert.Equal(first.MediaId, second.MediaId);
        Assert.Equal(first.AudioUri, second.AudioUri);
        Assert.Equal(audioWritten, File.GetLastWriteTimeUtc(second.AudioUri!.LocalPath));
        Assert.Single(Directory.GetDirectories(Path.Combine(ingest.Data.Path, "media")));
    }

    [Fact]
    public async Task Music_only_and_video_only_get_only_their_part()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var song = await TestMedia.AudioOnlyAsync(ingest.Media.File("song.m4a"), seconds: 1);
        var upload = await TestMedia.VideoOnlyAsync(ingest.Media.File("upload.mp4"), seconds: 1);

        var music = Assert.IsType<MediaIngested>(await ingest.IngestAsync(song, MediaKind.Music));
        var video = Assert.IsType<MediaIngested>(await ingest.IngestAsync(upload, MediaKind.Video));

        Assert.NotNull(music.AudioUri);
        Assert.Null(music.VideoUri);
        Assert.Null(video.AudioUri);
        Assert.NotNull(video.VideoUri);
    }

    [Fact]
    public async Task Bad_inputs_get_a_clear_IngestFailed_and_the_worker_stays_up()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var media = ingest.Media;
        await File.WriteAllBytesAsync(media.File("empty.mp4"), []);
        var good = await TestMedia.MusicVideoAsync(media.File("good.mp4"), seconds: 2);
        var bytes = await File.ReadAllBytesAsync(good);
        await File.WriteAllBytesAsync(media.File("truncated.mp4"), bytes[..(bytes.Length / 3)]);
        await File.WriteAllTextAsync(media.File("notes.mp4"), "this is not a video, just text\n");
        var audioOnly = await TestMedia.AudioOnlyAsync(media.File("audio-only.m4a"), seconds: 1);

        (string Source, MediaKind Kind, string Expected)[] cases =
        [
            (media.File("empty.mp4"), MediaKind.Pair, "empty file"),
            (media.File("truncated.mp4"), MediaKind.Pair, "not a readable media file"),
            (media.File("notes.mp4"), MediaKind.Pair, "not a readable media file"),
            (audioOnly, MediaKind.Pair, "kind=pair needs a video and an audio stream; the file has audio only"),
            ("../../etc/passwd", MediaKind.Pair, "outside the allowed media roots"),
            ("/etc/passwd", MediaKind.Music, "outside the allowed media roots"),
            ("abc;rm -rf /tmp/x", MediaKind.Pair, "is not a YouTube id (11 of [A-Za-z0-9_-]), an http(s) URL, or an existing file"),
            ("$(touch /tmp/pwned)", MediaKind.Pair, "is not a YouTube id"),
            (media.File("missing.mp4"), MediaKind.Pair, "is not a YouTube id"),
        ];
        foreach (var (source, kind, expected) in cases)
        {
            var failed = Assert.IsType<IngestFailed>(await ingest.IngestAsync(source, kind));
            Assert.Contains(expected, failed.Reason, StringComparison.Ordinal);
        }

        Assert.False(File.Exists("/tmp/pwned"));
        Assert.IsType<MediaIngested>(await ingest.IngestAsync(good, MediaKind.Pair));
        Assert.False(await ingest.Harness.Published.Any<Fault<IngestRequested>>());
    }

    [Fact]
    public async Task Media_over_the_duration_limit_is_refused()
    {
        await using var ingest = await IngestHarness.StartAsync(new Dictionary<string, string?> { ["Ingest:MaxDurationSeconds"] = "1" });
        var longer = await TestMedia.MusicVideoAsync(ingest.Media.File("long.mp4"), seconds: 3);

        var failed = Assert.IsType<IngestFailed>(await ingest.IngestAsync(longer, MediaKind.Pair));

        Assert.Contains("over the 1 s limit", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_over_the_size_limit_are_refused()
    {
        await using var ingest = await IngestHarness.StartAsync(new Dictionary<string, string?> { ["Ingest:MaxBytes"] = "1000" });
        var file = await TestMedia.MusicVideoAsync(ingest.Media.File("big.mp4"), seconds: 1);

        var failed = Assert.IsType<IngestFailed>(await ingest.IngestAsync(file, MediaKind.Pair));

        Assert.Contains("over the 1000-byte limit", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task YouTube_ids_fail_fast_with_download_failed_when_yt_dlp_cannot_reach_YouTube()
    {
        using var bin = new TempFolder("bin");
        var fake = bin.File("yt-dlp");
        // A stand-in with yt-dlp's behaviour offline: it prints its error and exits 1. It also records its arguments.
        await File.WriteAllTextAsync(fake,
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/args.txt\"\n" +
            "echo 'ERROR: [youtube] dQw4w9WgXcQ: Unable to download webpage: <urlopen error [Errno -3] Temporary failure in name resolution>' >&2\nexit 1\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var ingest = await IngestHarness.StartAsync(new Dictionary<string, string?> { ["Ingest:YtDlp"] = fake });

        var failed = Assert.IsType<IngestFailed>(await ingest.IngestAsync("dQw4w9WgXcQ", MediaKind.Pair));

        Assert.StartsWith("download failed: yt-dlp exited with 1: ERROR: [youtube] dQw4w9WgXcQ: Unable to download", failed.Reason, StringComparison.Ordinal);
        var args = await File.ReadAllLinesAsync(bin.File("args.txt"));
        Assert.Equal(["--", "dQw4w9WgXcQ"], args[^2..]);
    }

    [Fact]
    public async Task A_missing_yt_dlp_is_reported_as_download_failed()
    {
        await using var ingest = await IngestHarness.StartAsync(new Dictionary<string, string?> { ["Ingest:YtDlp"] = "/nonexistent/yt-dlp" });

        var failed = Assert.IsType<IngestFailed>(await ingest.IngestAsync("dQw4w9WgXcQ", MediaKind.Pair));

        Assert.Equal("download failed: /nonexistent/yt-dlp is not installed", failed.Reason);
    }

    [Fact]
    public async Task An_unreachable_URL_is_reported_as_download_failed()
    {
        await using var ingest = await IngestHarness.StartAsync();

        var failed = Assert.IsType<IngestFailed>(await ingest.IngestAsync("http://127.0.0.1:9/clip.mp4", MediaKind.Pair));

        Assert.Equal("download failed", failed.Reason);
    }
}
