using MassTransit;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Testing;

namespace VmNet.Ingest.Tests;

/// <summary>Hostile sources: names that look like options, playlists, re-ingests that would downgrade a pair, odd files.</summary>
public sealed class IngestSecurityTests
{
    [Fact]
    public async Task A_file_name_with_quotes_and_options_is_probed_as_one_argument()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var marker = $"pwned-{Guid.NewGuid():N}.json";
        var real = await TestMedia.MusicVideoAsync(ingest.Media.File("clip.mp4"), seconds: 1);
        // Under a quoted command line this name becomes: "<root>/clip.mp4" -o "<marker>" — a probe of clip.mp4 that writes a file.
        var hostile = ingest.Media.File($"clip.mp4\" -o \"{marker}");
        File.Copy(real, hostile);

        var answer = await ingest.IngestAsync(hostile, MediaKind.Pair);

        Assert.IsType<MediaIngested>(answer);
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, marker)), "ffprobe wrote a file named by the input");
        Assert.False(File.Exists(Path.Combine(ingest.Media.Path, marker)));
    }

    [Fact]
    public async Task A_playlist_that_references_a_file_outside_the_root_is_refused()
    {
        await using var ingest = await IngestHarness.StartAsync();
        using var outside = new TempFolder("outside");
        var secret = await TestMedia.MusicVideoAsync(outside.File("secret.mp4"), seconds: 2);
        foreach (var name in new[] { "list.m3u8", "list.mp4" })
        {
            await File.WriteAllTextAsync(
                ingest.Media.File(name),
                $"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:2.0,\n{secret}\n#EXT-X-ENDLIST\n",
                TestContext.Current.CancellationToken);

            var answer = await ingest.IngestAsync(ingest.Media.File(name), MediaKind.Pair);

            var failed = Assert.IsType<IngestFailed>(answer);
            Assert.Contains("not a readable media file", failed.Reason, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Path.Combine(ingest.Data.Path, "media")) && Directory.EnumerateFiles(Path.Combine(ingest.Data.Path, "media"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task The_same_bytes_asked_for_as_music_after_a_pair_stay_a_pair()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var file = await TestMedia.MusicVideoAsync(ingest.Media.File("mv.mp4"), seconds: 1);

        var pair = Assert.IsType<MediaIngested>(await ingest.IngestAsync(file, MediaKind.Pair));
        var music = Assert.IsType<MediaIngested>(await ingest.IngestAsync(file, MediaKind.Music));
        var video = Assert.IsType<MediaIngested>(await ingest.IngestAsync(file, MediaKind.Video));

        Assert.Equal(pair.MediaId, music.MediaId);
        Assert.Equal(MediaKind.Pair, music.Kind);
        Assert.Equal(MediaKind.Pair, video.Kind);
        Assert.NotNull(music.VideoUri);
        Assert.NotNull(video.AudioUri);
    }

    [Fact]
    public async Task An_unknown_kind_is_refused()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var file = await TestMedia.MusicVideoAsync(ingest.Media.File("mv.mp4"), seconds: 1);

        var failed = Assert.IsType<IngestFailed>(await ingest.IngestAsync(file, (MediaKind)42));

        Assert.Contains("unknown kind", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ffmpeg_timeout_is_answered_once_not_retried_and_leaves_no_partial_file()
    {
        await using var ingest = await IngestHarness.StartAsync(new Dictionary<string, string?> { ["Ingest:FfmpegTimeout"] = "00:00:00.001" });
        var file = await TestMedia.MusicVideoAsync(ingest.Media.File("mv.mp4"), seconds: 1);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var answer = await ingest.IngestAsync(file, MediaKind.Pair).WaitAsync(timeout.Token);

        Assert.IsType<IngestFailed>(answer);
        Assert.False(await ingest.Harness.Published.Any<Fault<IngestRequested>>());
        Assert.Empty(Directory.EnumerateFiles(ingest.Data.Path, "*.partial", SearchOption.AllDirectories));
    }
}

/// <summary>FFmpeg's image2 demuxer reads <c>%d</c> in a name as a numbered sequence of sibling files.</summary>
public sealed class ImagePatternTests
{
    [Fact]
    public async Task A_percent_d_name_is_never_expanded_into_sibling_files()
    {
        using var folder = new TempFolder("pattern");
        foreach (var (name, size) in new[] { ("x0.jpg", "64x48"), ("x1.jpg", "320x240") })
        {
            var made = await ProcessRunner.RunAsync(
                "ffmpeg", ["-v", "error", "-f", "lavfi", "-i", $"testsrc=size={size}", "-frames:v", "1", folder.File(name)],
                TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            Assert.Equal(0, made.ExitCode);
        }

        // No file has this name; only the pattern expansion could find something to read.
        var pattern = folder.File("x%d.jpg");
        await Assert.ThrowsAsync<MediaDecodeException>(() => MediaProbe.ProbeAsync(pattern, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<MediaDecodeException>(() => ProbeDecodesAsync(pattern));

        // With a real file of that name, still nothing is read as a sequence of its siblings.
        File.Copy(folder.File("x1.jpg"), pattern);
        await Assert.ThrowsAsync<MediaDecodeException>(() => MediaProbe.ProbeAsync(pattern, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
    }

    /// <summary>FFmpeg itself (not ffprobe) with the same input options, decoding the first frame.</summary>
    private static async Task ProbeDecodesAsync(string path)
    {
        var result = await ProcessRunner.RunAsync(
            FfmpegAudio.FfmpegProgram, ["-nostdin", "-v", "error", .. MediaProbe.SafeInputOptions, "-i", path, "-frames:v", "1", "-f", "null", "-"],
            TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        if (result.ExitCode != 0)
        {
            throw new MediaDecodeException(FfmpegAudio.LastLine(result.StandardError));
        }
    }
}

/// <summary>Symlinks in a media root, resolved as the kernel resolves them.</summary>
public sealed class MediaRootSymlinkTests
{
    [Fact]
    public async Task A_relative_link_through_a_linked_folder_and_dotdot_cannot_leave_the_root()
    {
        await using var ingest = await IngestHarness.StartAsync();
        using var outside = new TempFolder("outside");
        Directory.CreateDirectory(Path.Combine(outside.Path, "d1", "d2"));
        await TestMedia.MusicVideoAsync(Path.Combine(outside.Path, "d1", "x.mp4"), seconds: 1);
        // sub -> <outside>/d1/d2; a -> sub/../x.mp4: as text that is <root>/x.mp4, for the kernel <outside>/d1/x.mp4.
        Directory.CreateSymbolicLink(Path.Combine(ingest.Media.Path, "sub"), Path.Combine(outside.Path, "d1", "d2"));
        File.CreateSymbolicLink(Path.Combine(ingest.Media.Path, "a.mp4"), Path.Combine("sub", "..", "x.mp4"));
        File.WriteAllText(Path.Combine(ingest.Media.Path, "x.mp4"), "decoy inside the root");

        var answer = await ingest.IngestAsync(Path.Combine(ingest.Media.Path, "a.mp4"), MediaKind.Pair);

        Assert.Contains("outside the allowed media roots", Assert.IsType<IngestFailed>(answer).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_to_a_file_inside_the_root_is_still_accepted()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var real = await TestMedia.MusicVideoAsync(ingest.Media.File("real.mp4"), seconds: 1);
        File.CreateSymbolicLink(Path.Combine(ingest.Media.Path, "alias.mp4"), "real.mp4");

        Assert.IsType<MediaIngested>(await ingest.IngestAsync(Path.Combine(ingest.Media.Path, "alias.mp4"), MediaKind.Pair));
    }
}
