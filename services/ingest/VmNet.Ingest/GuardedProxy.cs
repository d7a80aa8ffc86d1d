using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace VmNet.Ingest;

/// <summary>
/// A loopback HTTP proxy for one yt-dlp run (<c>--proxy</c>), so every connection yt-dlp makes goes through
/// <see cref="NetworkGuard"/> like ingest's own downloads: yt-dlp runs its own HTTP stack and follows whatever URLs
/// the site's pages and redirects name. <c>CONNECT host:port</c> (https) and absolute-form <c>http://</c> requests are
/// resolved and checked here, per connection, on the address actually connected to. Anything else is refused.
/// <para>
/// It listens on 127.0.0.1 only, for as long as the run, and asks for a per-run password (in the proxy URL yt-dlp
/// gets), so another local process cannot use it as a way out. Connections at once and the request head are bounded.
/// </para>
/// </summary>
internal sealed class GuardedProxy : IAsyncDisposable
{
    /// <summary>yt-dlp opens a few connections at a time (page, player, media).</summary>
    internal const int MaxConnections = 16;

    private const int MaxHeadBytes = 16 * 1024;
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);

    private readonly NetworkGuard _guard;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots = new(MaxConnections);
    private readonly string _authorization;
    private readonly Task _accepting;
    private int _refused;

    private GuardedProxy(NetworkGuard guard)
    {
        _guard = guard;
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _authorization = "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("vmnet:" + password));
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Url = $"http://vmnet:{password}@127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    /// <summary>The value for yt-dlp's <c>--proxy</c>, with the run's credentials.</summary>
    public string Url { get; }

    /// <summary>Connections refused because their destination is not allowed (a download that fails this way says so).</summary>
    public int Refused => Volatile.Read(ref _refused);

    public static GuardedProxy Start(NetworkGuard guard) => new(guard);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop with one of these.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await _slots.WaitAsync(_stop.Token);
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch
            {
                _slots.Release();
                throw;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            using (client)
            {
                var stream = client.GetStream();
                await ServeAsync(stream, _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A connection that breaks, or the run ending, closes both sides; yt-dlp reports what it missed.
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task ServeAsync(NetworkStream client, CancellationToken cancellationToken)
    {
        var (head, rest) = await ReadHeadAsync(client, cancellationToken);
        if (head is null)
        {
            await ReplyAsync(client, "400 Bad Request", cancellationToken);
            return;
        }

        var lines = head.Split("\r\n");
        var request = lines[0].Split(' ');
        var headers = lines.Skip(1).Where(l => l.Length > 0).ToList();
        if (request.Length != 3 || !request[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            await ReplyAsync(client, "400 Bad Request", cancellationToken);
            return;
        }

        if (!headers.Any(h => IsHeader(h, "Proxy-Authorization") && string.Equals(Value(h), _authorization, StringComparison.Ordinal)))
        {
            await ReplyAsync(client, "407 Proxy Authentication Required", cancellationToken);
            return;
        }

        var (method, target, version) = (request[0], request[1], request[2]);
        string host;
        int port;
        if (method == "CONNECT")
        {
            var colon = target.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(target.AsSpan(colon + 1), out port) || port is <= 0 or > 65535)
            {
                await ReplyAsync(client, "400 Bad Request", cancellationToken);
                return;
            }

            host = target[..colon];
        }
        else if (Uri.TryCreate(target, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.UserInfo.Length == 0)
        {
            (host, port) = (uri.Host, uri.Port);
            target = uri.PathAndQuery;
        }
        else
        {
            await ReplyAsync(client, "400 Bad Request", cancellationToken);
            return;
        }

        NetworkStream upstream;
        try
        {
            upstream = await _guard.ConnectAsync(host, port, cancellationToken);
        }
        catch (DestinationRefusedException)
        {
            Interlocked.Increment(ref _refused);
            await ReplyAsync(client, "403 Forbidden", cancellationToken);
            return;
        }
        catch (SocketException)
        {
            // Neither the socket error nor the address goes back: as for ingest's own downloads, no port oracle.
            await ReplyAsync(client, "502 Bad Gateway", cancellationToken);
            return;
        }

        await using (upstream)
        {
            if (method == "CONNECT")
            {
                await client.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), cancellationToken);
            }
            else
            {
                // One request per connection: a client that reused it for another host would otherwise reach this one.
                var forwarded = new StringBuilder($"{method} {target} {version}\r\n");
                foreach (var header in headers.Where(h => !IsHeader(h, "Proxy-Authorization") && !IsHeader(h, "Proxy-Connection")
                    && !IsHeader(h, "Connection") && !IsHeader(h, "Keep-Alive")))
                {
                    forwarded.Append(header).Append("\r\n");
                }

                forwarded.Append("Connection: close\r\n\r\n");
                await upstream.WriteAsync(Encoding.ASCII.GetBytes(forwarded.ToString()), cancellationToken);
            }

            await upstream.WriteAsync(rest, cancellationToken);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // Either side closing ends the exchange.
            await Task.WhenAny(client.CopyToAsync(upstream, done.Token), upstream.CopyToAsync(client, done.Token));
            await done.CancelAsync();
        }
    }

    /// <summary>The request head (up to the blank line) and whatever body bytes came with it; a null head when too long or too slow.</summary>
    private static async Task<(string? Head, ReadOnlyMemory<byte> Body)> ReadHeadAsync(NetworkStream client, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HeadTimeout);
        var buffer = new byte[MaxHeadBytes];
        var filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                var read = await client.ReadAsync(buffer.AsMemory(filled), timeout.Token);
                if (read == 0)
                {
                    return (null, default);
                }

                var searchFrom = Math.Max(0, filled - 3);
                filled += read;
                var end = buffer.AsSpan(searchFrom, filled - searchFrom).IndexOf("\r\n\r\n"u8);
                if (end >= 0)
                {
                    end += searchFrom;
                    return (Encoding.Latin1.GetString(buffer, 0, end), buffer.AsMemory(end + 4, filled - end - 4));
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        return (null, default);
    }

    private static Task ReplyAsync(NetworkStream client, string status, CancellationToken cancellationToken) =>
        client.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), cancellationToken).AsTask();

    private static bool IsHeader(string line, string name) =>
        line.Length > name.Length && line[name.Length] == ':' && line.StartsWith(name, StringComparison.OrdinalIgnoreCase);

    private static string Value(string line) => line[(line.IndexOf(':') + 1)..].Trim();
}
