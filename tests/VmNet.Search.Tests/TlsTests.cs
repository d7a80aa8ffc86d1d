using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using VmNet.Search.Client;
using VmNet.Testing;

namespace VmNet.Search.Tests;

/// <summary>
/// The gRPC endpoint over TLS with a certificate made here (self-signed, as the README's openssl example makes one),
/// clients trusting exactly that CA, keys never sent in clear, and reflection only when asked for (#13 item 4).
/// </summary>
public sealed class TlsTests : IDisposable
{
    private readonly TempFolder _folder = new("tls");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Queries_and_admin_calls_work_over_tls_with_the_ca_file_trusted()
    {
        var (cert, key) = SelfSigned("ca-ok");
        await using var server = await SearchServer.StartAsync(Tls(cert, key));
        using var client = new SearchClient(server.GrpcAddress, SearchServer.AdminKey, new SearchClientOptions { CaFile = cert, RequireTls = true });

        var info = await client.GetModelInfoAsync(Ct);
        var admin = await client.RequestRetrainingAsync("over tls", cancellationToken: Ct);

        Assert.Equal("https", server.GrpcAddress.Scheme);
        Assert.Equal("v1", info.LiveVersion);
        Assert.NotEmpty(admin.CorrelationId);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_servers_certificate_is_refused()
    {
        var (cert, key) = SelfSigned("served");
        var (otherCa, _) = SelfSigned("other");
        await using var server = await SearchServer.StartAsync(Tls(cert, key));
        using var untrusting = new SearchClient(server.GrpcAddress, SearchServer.AdminKey, new SearchClientOptions { CaFile = otherCa });
        using var systemStore = new SearchClient(server.GrpcAddress, SearchServer.AdminKey);

        var e1 = await Assert.ThrowsAsync<RpcException>(() => untrusting.RequestRetrainingAsync("must not arrive", cancellationToken: Ct));
        var e2 = await Assert.ThrowsAsync<RpcException>(() => systemStore.RequestRetrainingAsync("must not arrive", cancellationToken: Ct));

        // The handshake fails in the client (grpc-dotnet reports it as Internal, "Error starting gRPC call").
        Assert.Contains("SSL", e1.Status.DebugException?.ToString() ?? e1.Message, StringComparison.Ordinal);
        Assert.Contains("SSL", e2.Status.DebugException?.ToString() ?? e2.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Published.All.OfType<VmNet.Contracts.RetrainRequested>(), r => r.Reason == "must not arrive");
    }

    [Fact]
    public async Task A_server_that_requires_tls_does_not_start_on_h2c()
    {
        var e = await Assert.ThrowsAnyAsync<InvalidOperationException>(() =>
            SearchServer.StartAsync(new Dictionary<string, string?> { ["Search:RequireTls"] = "true" }));

        Assert.Contains("Search:RequireTls", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_requires_tls_sends_nothing_over_h2c()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var address = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");

        Assert.Throws<ArgumentException>(() => new SearchClient(address, SearchServer.AdminKey, new SearchClientOptions { RequireTls = true }));
        await Task.Delay(200, Ct);

        Assert.False(listener.Pending(), "the client connected to an h2c address although TLS is required");
    }

    [Fact]
    public void A_key_is_never_sent_in_clear_to_another_host()
    {
        // 192.0.2.1 is TEST-NET-1: the refusal must come before any connection is tried.
        var e = Assert.Throws<ArgumentException>(() => new SearchClient(new Uri("http://192.0.2.1:5081"), "a-key"));

        Assert.Contains("https", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reflection_is_off_unless_enabled()
    {
        await using var server = await SearchServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        using var reflection = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(cancellationToken: Ct);

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty }, Ct);
            await reflection.RequestStream.CompleteAsync();
            await reflection.ResponseStream.MoveNext(Ct);
        });

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
    }

    [Fact]
    public async Task The_admin_key_can_come_from_a_secret_file()
    {
        var secret = Path.Combine(_folder.Path, "admin-key");
        await File.WriteAllTextAsync(secret, "key-from-a-file\n", Ct);
        await using var server = await SearchServer.StartAsync(new Dictionary<string, string?>
        {
            ["Search:AdminApiKey"] = null,
            ["Search:AdminApiKeyFile"] = secret,
        });
        using var client = new SearchClient(server.GrpcAddress, "key-from-a-file");
        using var wrong = new SearchClient(server.GrpcAddress, "key-from-a-fil");

        Assert.NotEmpty((await client.RequestRetrainingAsync("from file", cancellationToken: Ct)).CorrelationId);
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => wrong.RequestRetrainingAsync("x", cancellationToken: Ct))).StatusCode);
    }

    private Dictionary<string, string?> Tls(string cert, string key) => new()
    {
        ["Search:GrpcUrl"] = "https://127.0.0.1:0",
        ["Search:Certificate:Path"] = cert,
        ["Search:Certificate:KeyPath"] = key,
        ["Search:RequireTls"] = "true",
    };

    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, written as PEM certificate and key files.</summary>
    private (string Cert, string Key) SelfSigned(string name)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", ecdsa, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(_folder.Path, name + ".crt");
        var keyPath = Path.Combine(_folder.Path, name + ".key");
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, ecdsa.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }
}
