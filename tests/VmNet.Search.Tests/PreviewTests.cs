using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Testing;

namespace VmNet.Search.Tests;

/// <summary>
/// Previews rendered by the real server with the real FFmpeg, asked for by the real <c>vmnet preview</c> process and the
/// typed client; the results are measured with ffprobe and decoded audio.
/// </summary>
public sealed class PreviewTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private static readonly Dictionary<string, string?> BigClips = new() { ["Search:MaxClipBytes"] = "20000000" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(30.0, 7.3, false)]
    [InlineData(3.1, 9.7, true)]
    public async Task Vmnet_preview_fits_the_track_to_the_clip_with_an_audio_stream_and_no_hard_cut(double trackSeconds, double clipSeconds, bool looped)
    {
        await using var server = await SearchServer.StartAsync(BigClips);
        using var folder = new TempFolder("preview");
        var track = server.World.First(MediaKind.Music).MediaId;
        await PreviewMedia.WriteTrackAsync(server.World.DataDir, track, trackSeconds);
        var clip = await TestMedia.VideoOnlyAsync(Path.Combine(folder.Path, "clip.mp4"), clipSeconds);
        var output = Path.Combine(folder.Path, "mix.mp4");

        var (exitCode, text) = await VmnetProcess.RunAsync(
            ["--json", "preview", "--video", clip, "--track", track, "--out", output, "--server", server.GrpcAddress.ToString()], Timeout);

        Assert.True(exitCode == 0, text);
        using var json = JsonDocument.Parse(text[text.IndexOf('{', StringComparison.Ordinal)..]);
        Assert.Equal(looped, json.RootElement.GetProperty("looped").GetBoolean());
        var clipInfo = await MediaProbe.ProbeAsync(clip, Timeout, Ct);
        var measured = await PreviewMedia.MeasureAsync(output);
        Assert.InRange(measured.DurationSeconds, clipInfo.DurationSeconds - 0.1, clipInfo.DurationSeconds + 0.1);
        Assert.True(measured.HasAudio && measured.HasVideo);
        Assert.True(measured.MedianRms > 0.01, $"median level {measured.MedianRms}");
        Assert.True(measured.LastRms < measured.MedianRms, $"last 100 ms at {measured.LastRms}, median {measured.MedianRms}");
        Assert.Empty(Directory.EnumerateFileSystemEntries(new DataDirectory(server.World.DataDir).Temp));
    }

    [Fact]
    public async Task A_long_track_starts_on_a_beat_and_its_music_ends_on_the_last_beat_before_the_clips_end()
    {
        await using var server = await SearchServer.StartAsync(BigClips);
        using var folder = new TempFolder("preview");
        var track = server.World.First(MediaKind.Music).MediaId;
        await PreviewMedia.WriteTrackAsync(server.World.DataDir, track, 40, bpm: 100);
        var clip = await TestMedia.VideoOnlyAsync(Path.Combine(folder.Path, "clip.mp4"), 6.2);
        using var client = server.Client();

        var beats = await client.GetBeatsAsync(track, Ct);
        await using var file = File.Create(Path.Combine(folder.Path, "mix.mp4"));
        var info = await client.RenderPreviewAsync(track, clip, null, file, Ct);

        Assert.InRange(beats.TempoBpm, 97, 103);
        var intervals = beats.BeatSeconds.Zip(beats.BeatSeconds.Skip(1), (a, b) => b - a).Order().ToList();
        Assert.InRange(intervals[intervals.Count / 2], 0.58, 0.62);
        Assert.False(info.Looped);
        Assert.Contains(beats.BeatSeconds, b => Math.Abs(b - info.TrackStartSeconds) < 0.01);
        var end = info.TrackStartSeconds + info.MusicSeconds;
        Assert.Contains(beats.BeatSeconds, b => Math.Abs(b - end) < 0.01);
        Assert.InRange(info.VideoSeconds - info.MusicSeconds, 0, 0.61);
    }

    [Fact]
    public async Task Bad_preview_requests_get_a_clear_status_and_store_nothing()
    {
        await using var server = await SearchServer.StartAsync();
        using var folder = new TempFolder("preview");
        var data = new DataDirectory(server.World.DataDir);
        var track = server.World.First(MediaKind.Music).MediaId;
        await PreviewMedia.WriteTrackAsync(server.World.DataDir, track, 10);
        var video = await TestMedia.VideoOnlyAsync(Path.Combine(folder.Path, "clip.mp4"), 2);
        var audioOnly = await TestMedia.AudioOnlyAsync(Path.Combine(folder.Path, "tone.m4a"), 2);
        var notMedia = Path.Combine(folder.Path, "notes.mp4");
        await File.WriteAllTextAsync(notMedia, "not a video", Ct);
        var big = Path.Combine(folder.Path, "big.mp4");
        await File.WriteAllBytesAsync(big, new byte[SearchServer.MaxClipBytes + 1], Ct);
        var unknown = new string('b', 32);
        var mediaBefore = Directory.GetDirectories(data.Media).Length;
        using var client = server.Client();

        async Task<RpcException> Refused(string trackId, string? path, string? videoId = null) =>
            await Assert.ThrowsAsync<RpcException>(() => client.RenderPreviewAsync(trackId, path, videoId, Stream.Null, Ct));

        var unknownTrack = await Refused(unknown, video);
        var malformedTrack = await Refused("../../etc", video);
        var noVideo = await Refused(track, audioOnly);
        var undecodable = await Refused(track, notMedia);
        var tooBig = await Refused(track, big);
        var unknownVideo = await Refused(track, null, unknown);

        Assert.Equal(StatusCode.NotFound, unknownTrack.StatusCode);
        Assert.Contains(unknown, unknownTrack.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, malformedTrack.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, noVideo.StatusCode);
        Assert.Contains("no video stream", noVideo.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, undecodable.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, tooBig.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknownVideo.StatusCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Temp));
        Assert.Equal(mediaBefore, Directory.GetDirectories(data.Media).Length);
    }

    [Fact]
    public async Task A_preview_beyond_the_concurrency_limit_is_resource_exhausted_at_once()
    {
        await using var server = await SearchServer.StartAsync(new Dictionary<string, string?> { ["Search:Preview:MaxConcurrent"] = "1" });
        using var folder = new TempFolder("preview");
        var data = new DataDirectory(server.World.DataDir);
        var track = server.World.First(MediaKind.Music).MediaId;
        await PreviewMedia.WriteTrackAsync(server.World.DataDir, track, 5);
        var clip = await TestMedia.VideoOnlyAsync(Path.Combine(folder.Path, "clip.mp4"), 1, pattern: "color");
        using var client = server.Client();

        // The first render holds its slot while its upload is still arriving: header and one chunk, not completed.
        using var first = client.Queries.RenderPreview(cancellationToken: Ct);
        await first.RequestStream.WriteAsync(new V1.PreviewUpload { Header = new V1.PreviewHeader { TrackId = track, FileName = "clip.mp4" } }, Ct);
        await first.RequestStream.WriteAsync(new V1.PreviewUpload { Chunk = Google.Protobuf.ByteString.CopyFrom(new byte[100]) }, Ct);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Directory.EnumerateDirectories(data.Temp, "preview-*").Any() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        var second = await Assert.ThrowsAsync<RpcException>(() => client.RenderPreviewAsync(track, clip, null, Stream.Null, Ct));
        await first.RequestStream.CompleteAsync();
        var firstEnd = await Assert.ThrowsAsync<RpcException>(async () => await first.ResponseStream.MoveNext(Ct));

        Assert.Equal(StatusCode.ResourceExhausted, second.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, firstEnd.StatusCode);
        await using var third = File.Create(Path.Combine(folder.Path, "mix.mp4"));
        var info = await client.RenderPreviewAsync(track, clip, null, third, Ct);
        Assert.True(info.SizeBytes > 0);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Temp));
    }
}
