using System.Net;
using System.Net.Sockets;

namespace VmNet.Ingest;

/// <summary>
/// Where ingest may download from: public addresses only, unless <c>Ingest:AllowedNetworks</c> lists the network.
/// Checked when a connection is made, on the address actually connected to, so neither a redirect nor a DNS answer that
/// changes between check and use can reach loopback, link-local or private addresses.
/// </summary>
internal sealed class NetworkGuard
{
    private static readonly IPNetwork[] NonPublic =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
            "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
        }.Select(IPNetwork.Parse),
    ];

    private readonly IPNetwork[] _allowed;

    public NetworkGuard(IEnumerable<string> allowedNetworks) =>
        _allowed = [.. allowedNetworks.Select(n => IPNetwork.TryParse(n, out var network)
            ? network
            : throw new InvalidOperationException($"Ingest:AllowedNetworks: '{n}' is not a CIDR network"))];

    public bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return _allowed.Any(n => n.Contains(address)) || !NonPublic.Any(n => n.Contains(address));
    }

    /// <summary>A <see cref="SocketsHttpHandler"/> that connects only to allowed addresses, without a proxy (which would hide the target).</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 5,
        // Runs for every new connection, so each redirect hop to another host is checked too.
        ConnectCallback = ConnectAsync,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        await ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken);

    /// <summary>
    /// Resolves <paramref name="host"/> and connects to one of its allowed addresses, never to the name again;
    /// <see cref="DestinationRefusedException"/> when it has none. Used by the HTTP client and by <see cref="GuardedProxy"/>.
    /// </summary>
    public async Task<NetworkStream> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(IsAllowed).ToArray();
        if (allowed.Length == 0)
        {
            throw new DestinationRefusedException();
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // Connect to the checked addresses themselves, never to the name again.
            await socket.ConnectAsync(allowed, port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>The HTTP client ingest downloads with: guarded connections and no retries (the standard resilience handler would fetch again).</summary>
internal sealed class IngestHttpClient : IDisposable
{
    public IngestHttpClient(Microsoft.Extensions.Options.IOptions<IngestOptions> options)
    {
        Guard = new NetworkGuard(options.Value.AllowedNetworks);
        Client = new HttpClient(Guard.CreateHandler())
        {
            // MediaFetcher applies Ingest:DownloadTimeout to the whole download.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The guard and allow-list of this client, shared with yt-dlp's <see cref="GuardedProxy"/>.</summary>
    public NetworkGuard Guard { get; }

    public HttpClient Client { get; }

    public void Dispose() => Client.Dispose();
}

/// <summary>The download's host resolves only to addresses ingest may not reach.</summary>
internal sealed class DestinationRefusedException() : Exception("destination address not allowed");
