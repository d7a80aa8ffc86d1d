using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Hosting;
using VmNet.ServiceDefaults;
using VmNet.Commands;
using VmNet.AudioFeatures.Service;
using VmNet.Embedder;
using VmNet.Ingest;
using VmNet.Search;
using VmNet.VideoFeatures.Service;

namespace VmNet.Bench;

/// <summary>A running pipeline the benchmark publishes to and observes.</summary>
public interface IBenchSystem : IAsyncDisposable
{
    /// <summary>How the roles run, in words (for the report).</summary>
    string Layout { get; }

    PipelineEvents Events { get; }

    IBus Bus { get; }
}

/// <summary>Configuration both layouts share: the data dir, the media root, no fixed ports, quiet logs.</summary>
internal static class BenchConfiguration
{
    public static Dictionary<string, string?> Common(string dataDir, string mediaRoot) => new()
    {
        ["Storage:DataDir"] = dataDir,
        ["Ingest:MediaRoots:0"] = mediaRoot,
        ["Search:GrpcUrl"] = "http://127.0.0.1:0",
        ["Search:HttpUrl"] = string.Empty,
        ["Logging:LogLevel:Default"] = "Warning",
    };
}

/// <summary>The embedded default: every role in this process on the in-memory bus.</summary>
public sealed class EmbeddedSystem(WebApplication app) : IBenchSystem
{
    public string Layout => "one process, in-memory bus, embedded store";

    public PipelineEvents Events => app.Services.GetRequiredService<PipelineEvents>();

    public IBus Bus => app.Services.GetRequiredService<IBus>();

    public static async Task<EmbeddedSystem> StartAsync(string dataDir, string mediaRoot, CancellationToken cancellationToken)
    {
        var overrides = BenchConfiguration.Common(dataDir, mediaRoot);
        overrides["Bus:Transport"] = nameof(BusTransport.InMemory);
        var app = VmNetHost.Build(PipelineBench.Roles, overrides, b => b.AddPipelineEvents());
        await app.StartAsync(cancellationToken);
        return new EmbeddedSystem(app);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>
/// Every role its own <c>vmnet serve</c> process on RabbitMQ (embedder and search share one: the embedded store is
/// in-process), with a client in this process that publishes and observes.
/// </summary>
public sealed class DistributedSystem : IBenchSystem
{
    private readonly List<RoleProcess> _workers;
    private readonly WebApplication _client;

    private DistributedSystem(List<RoleProcess> workers, WebApplication client, string layout)
    {
        _workers = workers;
        _client = client;
        Layout = layout;
    }

    public string Layout { get; }

    public PipelineEvents Events => _client.Services.GetRequiredService<PipelineEvents>();

    public IBus Bus => _client.Services.GetRequiredService<IBus>();

    public IReadOnlyList<RoleProcess> Workers => _workers;

    public static async Task<DistributedSystem> StartAsync(
        string? brokerUri, string dataDir, string mediaRoot, int audioWorkers, int videoWorkers, CancellationToken cancellationToken)
    {
        List<string[]> roleSets =
        [
            [IngestRole.Name],
            .. Enumerable.Repeat<string[]>([AudioFeaturesRole.Name], audioWorkers),
            .. Enumerable.Repeat<string[]>([VideoFeaturesRole.Name], videoWorkers),
            [EmbedderRole.Name, SearchRole.Name],
        ];
        var environment = BenchConfiguration.Common(dataDir, mediaRoot)
            .ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value!);
        List<string> bus = ["--transport", "rabbitmq", "--data", dataDir];
        if (brokerUri is not null)
        {
            bus.AddRange(["--rabbitmq", brokerUri]);
        }

        var workers = new List<RoleProcess>();
        WebApplication? client = null;
        try
        {
            foreach (var (roles, i) in roleSets.Select((r, i) => (r, i)))
            {
                var name = string.Join('+', roles);
                workers.Add(RoleProcess.Start(
                    name, bus.Concat(roles.SelectMany(r => new[] { "--role", r })), environment, Path.Combine(dataDir, "logs", $"{i:00}-{name}.log")));
            }

            foreach (var worker in workers)
            {
                await worker.WaitHealthyAsync(TimeSpan.FromMinutes(3), cancellationToken);
            }

            var overrides = BenchConfiguration.Common(dataDir, mediaRoot);
            overrides["Bus:Transport"] = nameof(BusTransport.RabbitMq);
            if (brokerUri is not null)
            {
                overrides["Bus:RabbitMq:Uri"] = brokerUri;
            }

            client = VmNetHost.BuildClient(overrides, b => b.AddPipelineEvents());
            await client.StartAsync(cancellationToken);
            var layout = $"{workers.Count} processes on RabbitMQ: ingest, {audioWorkers}× audio-features, {videoWorkers}× video-features, embedder+search";
            return new DistributedSystem(workers, client, layout);
        }
        catch
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }

            workers.ForEach(w => w.Dispose());
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _client.StopAsync();
        await _client.DisposeAsync();
        _workers.ForEach(w => w.Dispose());
    }
}
