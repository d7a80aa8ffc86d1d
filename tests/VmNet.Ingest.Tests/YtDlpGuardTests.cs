using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Testing;

namespace VmNet.Ingest.Tests;

/// <summary>
/// yt-dlp (Debian's, run as ingest runs it) reaches the network only through <see cref="GuardedProxy"/>: the same
/// <see cref="NetworkGuard"/> and allow-list as ingest's own downloads. Its generic extractor on a direct media URL of a
/// local server stands in for a site whose pages or redirects name an internal address. Every server here is loopback.
/// </summary>
public sealed class YtDlpGuardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Media(byte[] body) =>
        [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), .. body];

    private static async Task<string> RefusalAsync(IngestHarness ingest, string url)
    {
        var fetcher = ingest.Services.GetRequiredService<MediaFetcher>();
        var refused = await Assert.ThrowsAsync<IngestRejectedException>(async () =>
        {
            using var fetched = await fetcher.DownloadWithYtDlpAsync(url, Ct);
        });
        return refused.Message;
    }

    [Fact]
    public async Task YtDlp_cannot_reach_a_loopback_server()
    {
        await using var ingest = await IngestHarness.StartAsync();
        var body = await File.ReadAllBytesAsync(await TestMedia.MusicVideoAsync(ingest.Media.File("served.mp4"), seconds: 1), Ct);
        await using var server = TinyHttpServer.Start(IPAddress.Loopback, _ => Media(body));

        var reason = await RefusalAsync(ingest, $"http://127.0.0.1:{server.Port}/clip.mp4");

        Assert.Equal("download failed: destination address not allowed", reason);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task YtDlp_reaches_an_allowed_network_through_the_proxy_but_not_a_redirect_out_of_it()
    {
        await using var ingest = await IngestHarness.StartAsync(new Dictionary<string, string?> { ["Ingest:AllowedNetworks:0"] = "127.0.0.1/32" });
        var body = await File.ReadAllBytesAsync(await TestMedia.MusicVideoAsync(ingest.Media.File("served.mp4"), seconds: 1), Ct);
        await using var allowed = TinyHttpServer.Start(IPAddress.Loopback, _ => Media(body));
        await using var target = TinyHttpServer.Start(IPAddress.Parse("127.0.0.2"), _ => Media(body));
        await using var redirect = TinyHttpServer.Start(IPAddress.Loopback, _ => TinyHttpServer.Redirect($"http://127.0.0.2:{target.Port}/clip.mp4"));

        // The allowed server is reached (the refusal is the duration filter's: a direct link declares no duration).
        var reason = await RefusalAsync(ingest, $"http://127.0.0.1:{allowed.Port}/clip.mp4");
        Assert.DoesNotContain("not allowed", reason, StringComparison.Ordinal);
        Assert.True(allowed.Requests > 0, "yt-dlp reached the allowed server through the proxy");

        Assert.Equal("download failed: destination address not allowed", await RefusalAsync(ingest, $"http://127.0.0.1:{redirect.Port}/start"));
        Assert.True(redirect.Requests > 0);
        Assert.Equal(0, target.Requests);
    }

    [Fact]
    public async Task The_proxy_serves_only_the_run_that_holds_its_password()
    {
        var guard = new NetworkGuard(["127.0.0.1/32"]);
        await using var server = TinyHttpServer.Start(IPAddress.Loopback, _ => Media([1, 2, 3]));
        await using var proxy = GuardedProxy.Start(guard);
        var url = new Uri(proxy.Url);

        async Task<string> AskAsync(string? authorization)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, url.Port, Ct);
            var stream = client.GetStream();
            var auth = authorization is null ? "" : $"Proxy-Authorization: Basic {authorization}\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET http://127.0.0.1:{server.Port}/x HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n"), Ct);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            return await reader.ReadLineAsync(Ct) ?? "";
        }

        Assert.StartsWith("HTTP/1.1 407", await AskAsync(null), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 407", await AskAsync(Convert.ToBase64String("vmnet:guess"u8.ToArray())), StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
        Assert.StartsWith("HTTP/1.1 200", await AskAsync(Convert.ToBase64String(Encoding.ASCII.GetBytes(url.UserInfo))), StringComparison.Ordinal);
        Assert.Equal(1, server.Requests);
    }
}
