using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using VmNet.Search.V1;
using VmNet.Testing;

namespace VmNet.Search.Tests;

/// <summary>Clip uploads cannot exhaust memory: long clips are refused before decoding, and only so many run at once.</summary>
public sealed class ClipLimitsTests
{
    /// <summary>What one refused clip may add to this process's working set (the whole 3 h decode is about 500 MB).</summary>
    private const long MemoryCeilingBytes = 150L * 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_three_hour_low_bitrate_music_clip_is_refused_in_bounded_memory()
    {
        using var temp = new TempFolder("long-clip");
        var path = temp.File("silence.mp3");
        // 3 h of 8 kHz mono silence at 8 kbit/s: 11 MB on the wire, 518 MB as 12 kHz float samples.
        var made = await VmNet.Media.ProcessRunner.RunAsync(
            "ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "10800", "-c:a", "libmp3lame", "-b:a", "8k", path],
            TimeSpan.FromMinutes(2), Ct);
        Assert.Equal(0, made.ExitCode);
        await using var server = await SearchServer.StartAsync(new Dictionary<string, string?> { ["Search:MaxClipBytes"] = "20000000" });
        using var client = server.Client();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var baseline = self.WorkingSet64;
        var peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                self.Refresh();
                peak = Math.Max(peak, self.WorkingSet64);
                await Task.Delay(10, CancellationToken.None);
            }
        }, CancellationToken.None);

        var e = await Assert.ThrowsAsync<RpcException>(() => client.FindVideosForMusicFileAsync(path, cancellationToken: Ct));
        await stop.CancelAsync();
        await sampler;

        Assert.InRange(peak - baseline, long.MinValue, MemoryCeilingBytes);
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Fact]
    public async Task A_clip_beyond_the_concurrency_limit_is_resource_exhausted()
    {
        await using var server = await SearchServer.StartAsync(new Dictionary<string, string?> { ["Search:MaxConcurrentClips"] = "1" });
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var queries = new SearchService.SearchServiceClient(channel);

        // The first upload stays open, holding the only slot.
        using var first = queries.FindVideosForClip(cancellationToken: Ct);
        await first.RequestStream.WriteAsync(new ClipUpload { Header = new ClipHeader { FileName = "a.wav" } }, Ct);
        await first.RequestStream.WriteAsync(new ClipUpload { Chunk = ByteString.CopyFrom(new byte[1024]) }, Ct);
        await Task.Delay(1000, Ct);

        using var second = queries.FindVideosForClip(cancellationToken: Ct);
        await second.RequestStream.WriteAsync(new ClipUpload { Header = new ClipHeader { FileName = "b.wav" } }, Ct);
        await second.RequestStream.WriteAsync(new ClipUpload { Chunk = ByteString.CopyFrom(new byte[1024]) }, Ct);
        await second.RequestStream.CompleteAsync();
        var e = await Assert.ThrowsAsync<RpcException>(() => second.ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        await first.RequestStream.CompleteAsync();
        var after = await Assert.ThrowsAsync<RpcException>(() => first.ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, after.StatusCode);
    }
}
