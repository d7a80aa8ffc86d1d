using System.Net;
using System.Net.Sockets;
using System.Text;
using VmNet.Contracts;
using VmNet.Testing;

namespace VmNet.Ingest.Tests;

/// <summary>
/// Downloads cannot reach loopback, link-local or private addresses unless <c>Ingest:AllowedNetworks</c> says so,
/// not even through a redirect; failures say "download failed" without socket details; nothing is retried.
/// Every target here is a loopback address.
/// </summary>
public sealed class DownloadGuardTests
{
    [Fact]
    public async Task A_loopback_url_is_refused_by_default_without_connecting()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var media = await File.ReadAllBytesAsync(await TestMedia.MusicVideoAsync(ingest.Media.File("served.mp4"), seconds: 1));
        await using var server = TinyHttpServer.Start(IPAddress.Loopback, _ => TinyHttpServer.Ok(media));

        var answer = await ingest.IngestAsync($"http://127.0.0.1:{server.Port}/clip.mp4", MediaKind.Pair);

        Assert.Equal("download failed", Assert.IsType<IngestFailed>(answer).Reason);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task A_loopback_url_is_fetched_when_its_network_is_allowed()
    {
        await using var ingest = await IngestHarness.StartAsync(new Dictionary<string, string?> { ["Ingest:AllowedNetworks:0"] = "127.0.0.1/32" });
        var media = await File.ReadAllBytesAsync(await TestMedia.MusicVideoAsync(ingest.Media.File("served.mp4"), seconds: 1));
        await using var server = TinyHttpServer.Start(IPAddress.Loopback, _ => TinyHttpServer.Ok(media));

        var answer = await ingest.IngestAsync($"http://127.0.0.1:{server.Port}/clip.mp4", MediaKind.Pair);

        Assert.IsType<MediaIngested>(answer);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task A_redirect_to_a_network_not_allowed_is_refused()
    {
        await using var ingest = await IngestHarness.StartAsync(new Dictionary<string, string?> { ["Ingest:AllowedNetworks:0"] = "127.0.0.1/32" });
        var media = await File.ReadAllBytesAsync(await TestMedia.MusicVideoAsync(ingest.Media.File("served.mp4"), seconds: 1));
        var other = IPAddress.Parse("127.0.0.2");
        await using var target = TinyHttpServer.Start(other, _ => TinyHttpServer.Ok(media));
        await using var redirect = TinyHttpServer.Start(IPAddress.Loopback, _ => TinyHttpServer.Redirect($"http://127.0.0.2:{target.Port}/clip.mp4"));

        var answer = await ingest.IngestAsync($"http://127.0.0.1:{redirect.Port}/start", MediaKind.Pair);

        Assert.Equal("download failed", Assert.IsType<IngestFailed>(answer).Reason);
        Assert.Equal(1, redirect.Requests);
        Assert.Equal(0, target.Requests);
    }

    [Fact]
    public async Task A_closed_port_says_only_download_failed()
    {
        await using var ingest = await IngestHarness.StartAsync(new Dictionary<string, string?> { ["Ingest:AllowedNetworks:0"] = "127.0.0.1/32" });
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var answer = await ingest.IngestAsync($"http://127.0.0.1:{port}/clip.mp4", MediaKind.Pair);

        Assert.Equal("download failed", Assert.IsType<IngestFailed>(answer).Reason);
    }

    [Fact]
    public async Task A_failing_server_is_asked_once()
    {
        await using var ingest = await IngestHarness.StartAsync(new Dictionary<string, string?> { ["Ingest:AllowedNetworks:0"] = "127.0.0.1/32" });
        await using var server = TinyHttpServer.Start(IPAddress.Loopback, _ => "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());

        var answer = await ingest.IngestAsync($"http://127.0.0.1:{server.Port}/clip.mp4", MediaKind.Pair);

        Assert.IsType<IngestFailed>(answer);
        Assert.Equal(1, server.Requests);
    }
}

/// <summary>A one-response-per-connection HTTP/1.1 server on a loopback address, counting the requests it got.</summary>
internal sealed class TinyHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    private TinyHttpServer(TcpListener listener, Func<string, byte[]> respond)
    {
        _listener = listener;
        _loop = Task.Run(() => LoopAsync(respond));
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Requests => Volatile.Read(ref _requests);

    public static TinyHttpServer Start(IPAddress address, Func<string, byte[]> respond)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        return new TinyHttpServer(listener, respond);
    }

    public static byte[] Ok(byte[] body) =>
        [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), .. body];

    public static byte[] Redirect(string location) =>
        Encoding.ASCII.GetBytes($"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync(Func<string, byte[]> respond)
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            await using var stream = client.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    break;
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            Interlocked.Increment(ref _requests);
            await stream.WriteAsync(respond(head.ToString()), _stop.Token);
        }
    }
}
