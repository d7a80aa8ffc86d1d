using System.Collections.Concurrent;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Hosting;
using VmNet.Search.Client;
using VmNet.Search.Grpc;
using VmNet.ServiceDefaults;
using VmNet.Testing;

namespace VmNet.Search.Tests;

/// <summary>Admin requests the search role published, as a consumer on the same bus saw them.</summary>
public sealed class PublishedRequests
{
    public ConcurrentQueue<object> All { get; } = new();
}

public sealed class PublishedRequestsConsumer(PublishedRequests seen) : IConsumer<RetrainRequested>, IConsumer<ModelActivationRequested>
{
    public Task Consume(ConsumeContext<RetrainRequested> context)
    {
        seen.All.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ModelActivationRequested> context)
    {
        seen.All.Enqueue(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The search role in a real ASP.NET Core host as <c>vmnet serve --role search</c> builds it: Kestrel with its HTTP/1 address and the h2c gRPC
/// endpoint on free loopback ports, the in-memory bus, the embedded store holding a <see cref="SearchWorld"/>.
/// </summary>
public sealed class SearchServer : IAsyncDisposable
{
    public const string AdminKey = "admin-key-for-tests";
    public const long MaxClipBytes = 300_000;

    private readonly TempFolder _folder;

    private SearchServer(TempFolder folder, WebApplication app, SearchWorld world)
    {
        _folder = folder;
        App = app;
        World = world;
    }

    public WebApplication App { get; }

    public SearchWorld World { get; }

    public IVectorStore Store => App.Services.GetRequiredService<IVectorStore>();

    public PublishedRequests Published => App.Services.GetRequiredService<PublishedRequests>();

    public Uri GrpcAddress => App.Services.GetRequiredService<SearchEndpoints>().GrpcAddress ?? throw new InvalidOperationException("gRPC endpoint not bound");

    /// <summary>The web page and REST/JSON API (<c>Search:HttpUrl</c>).</summary>
    public Uri WebAddress => App.Services.GetRequiredService<SearchEndpoints>().HttpAddress ?? throw new InvalidOperationException("HTTP endpoint not bound");

    /// <summary>The host's other (HTTP/1) address, where the health endpoints live.</summary>
    public Uri HttpAddress => new(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
        .Select(a => a.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal))
        .First(a => new Uri(a).Port != GrpcAddress.Port && new Uri(a).Port != WebAddress.Port));

    public static async Task<SearchServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, int videoDim = SearchWorld.VideoDim)
    {
        var folder = new TempFolder("search");
        var config = new Dictionary<string, string?>
        {
            ["Storage:DataDir"] = folder.Path,
            ["Search:GrpcUrl"] = "http://127.0.0.1:0",
            ["Search:HttpUrl"] = "http://127.0.0.1:0",
            ["Search:AdminApiKey"] = AdminKey,
            ["Search:MaxClipBytes"] = MaxClipBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var app = VmNetHost.Build([SearchRole.Name], config, b =>
        {
            b.Services.AddSingleton<PublishedRequests>();
            b.Services.AddRoleConsumers("test-observer", bus => bus.AddConsumer<PublishedRequestsConsumer>().Endpoint(e => e.Temporary = true));
        });
        var world = await SearchWorld.CreateAsync(folder.Path, app.Services.GetRequiredService<IFeatureCatalogue>(), app.Services.GetRequiredService<IVectorStore>(), videoDim: videoDim);
        await app.StartAsync();
        return new SearchServer(folder, app, world);
    }

    public SearchClient Client(string? apiKey = null) => new(GrpcAddress, apiKey);

    /// <summary>Publishes <see cref="ModelActivated"/> on the server's bus, as the embedder does after it flips the live generation.</summary>
    public Task AnnounceActivationAsync(string version, string? previous, CancellationToken cancellationToken) =>
        App.Services.GetRequiredService<IBus>().Publish(new ModelActivated(version, Guid.NewGuid(), previous, World.Items.Count, DateTimeOffset.UtcNow), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        _folder.Dispose();
    }
}

/// <summary>One server for a test class.</summary>
public sealed class SearchServerFixture : IAsyncLifetime
{
    private SearchServer? _server;

    public SearchServer Server => _server ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() => _server = await SearchServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
