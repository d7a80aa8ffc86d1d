using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace VmNet.Search.Grpc;

/// <summary>
/// Kestrel's listeners when the search role runs: the host's <c>urls</c> stay HTTP/1 (health endpoints),
/// <c>Search:GrpcUrl</c> is a dedicated HTTP/2 endpoint, plain-text h2c or TLS with <c>Search:Certificate</c>, and
/// <c>Search:HttpUrl</c> serves the web page and the REST/JSON API (HTTP/1.1, plus HTTP/2 over TLS).
/// Explicit listeners replace <c>urls</c>, so all are declared here.
/// </summary>
public sealed class SearchEndpoints
{
    private ListenOptions? _grpc;
    private ListenOptions? _http;

    /// <summary>The gRPC address as bound (a configured port 0 replaced by the real one); null before the server starts.</summary>
    public Uri? GrpcAddress => _grpc is { IPEndPoint: { Port: > 0 } endpoint }
        ? new Uri($"{(Tls ? "https" : "http")}://{Format(endpoint)}")
        : null;

    /// <summary>The web page's and REST API's address as bound; null before the server starts or when <c>Search:HttpUrl</c> is empty.</summary>
    public Uri? HttpAddress => _http is { IPEndPoint: { Port: > 0 } endpoint }
        ? new Uri($"{(Tls ? "https" : "http")}://{Format(endpoint)}")
        : null;

    public bool Tls { get; private set; }

    public void Configure(KestrelServerOptions kestrel, string? urls, SearchOptions options)
    {
        foreach (var url in (string.IsNullOrWhiteSpace(urls) ? "http://127.0.0.1:0" : urls).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var address = BindingAddress.Parse(url);
            Listen(kestrel, address, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                if (address.Scheme == "https")
                {
                    listen.UseHttps();
                }
            });
        }

        var grpc = BindingAddress.Parse(options.GrpcUrl);
        Tls = !string.IsNullOrWhiteSpace(options.Certificate.Path);
        if (grpc.Scheme == "https" && !Tls)
        {
            throw new InvalidOperationException($"Search:GrpcUrl is https ({options.GrpcUrl}) but no Search:Certificate:Path is configured");
        }

        if (options.RequireTls && (!Tls || grpc.Scheme != "https"))
        {
            throw new InvalidOperationException($"Search:RequireTls is set: Search:GrpcUrl must be https:// with a Search:Certificate:Path (got {options.GrpcUrl})");
        }

        var certificate = Tls ? LoadCertificate(options.Certificate) : null;

        Listen(kestrel, grpc, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (Tls)
            {
                // ALPN negotiates h2 on this endpoint.
                listen.UseHttps(certificate!);
            }

            _grpc = listen;
        });

        if (string.IsNullOrWhiteSpace(options.HttpUrl))
        {
            return;
        }

        var http = BindingAddress.Parse(options.HttpUrl);
        if (http.Scheme == "https" && !Tls)
        {
            throw new InvalidOperationException($"Search:HttpUrl is https ({options.HttpUrl}) but no Search:Certificate:Path is configured");
        }

        Listen(kestrel, http, listen =>
        {
            // With a certificate this listener speaks TLS like the gRPC one (so under Search:RequireTls no key crosses it in
            // clear). Cleartext cannot offer HTTP/1.1 and HTTP/2 on one port (no ALPN); browsers only speak HTTP/2 over TLS anyway.
            listen.Protocols = Tls ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
            if (Tls)
            {
                listen.UseHttps(certificate!);
            }

            _http = listen;
        });
    }

    /// <summary>A PEM certificate and key (what openssl writes) or a PKCS#12 file.</summary>
    internal static X509Certificate2 LoadCertificate(CertificateOptions options)
    {
        try
        {
            return string.IsNullOrWhiteSpace(options.KeyPath)
                ? X509CertificateLoader.LoadPkcs12FromFile(options.Path!, options.Password)
                : string.IsNullOrEmpty(options.Password)
                    ? X509Certificate2.CreateFromPemFile(options.Path!, options.KeyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(options.Path!, options.Password, options.KeyPath);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Search:Certificate: cannot load {options.Path} ({e.Message})", e);
        }
    }

    private static void Listen(KestrelServerOptions kestrel, BindingAddress address, Action<ListenOptions> configure)
    {
        if (address.Host is "*" or "+" or "0.0.0.0" or "[::]")
        {
            kestrel.ListenAnyIP(address.Port, configure);
        }
        else if (address.Host == "localhost")
        {
            kestrel.ListenLocalhost(address.Port, configure);
        }
        else if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, address.Port, configure);
        }
        else
        {
            throw new InvalidOperationException($"listen addresses must be IP addresses, localhost or *, not '{address.Host}'");
        }
    }

    private static string Format(IPEndPoint endpoint) =>
        endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any)
            ? $"127.0.0.1:{endpoint.Port}"
            : endpoint.ToString();
}
