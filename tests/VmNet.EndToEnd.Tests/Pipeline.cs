using System.Diagnostics;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Contracts;
using VmNet.Hosting;
using VmNet.Storage;
using VmNet.Testing;

namespace VmNet.EndToEnd.Tests;

/// <summary>
/// Roles as separate <c>vmnet serve</c> processes on one RabbitMQ virtual host, the distributed layout's stores (the
/// catalogue, ledgers and the delivery ledger in a PostgreSQL database of this pipeline's own; media parts and models
/// in one data directory), plus a client bus in the test process that publishes and observes every event.
/// </summary>
public sealed class Pipeline : IAsyncDisposable
{
    private readonly List<(string Name, VmnetProcess Process)> _workers = [];
    private WebApplication? _client;

    private Pipeline(string broker, string catalogue)
    {
        Broker = broker;
        CatalogueConnectionString = catalogue;
        Database = PostgresDatabase.Create(new PostgresOptions { ConnectionString = catalogue });
    }

    public string Broker { get; }

    /// <summary>The roles' PostgreSQL database (<c>Catalogue:Kind=Postgres</c>).</summary>
    public string CatalogueConnectionString { get; }

    public PostgresDatabase Database { get; }

    /// <summary>The catalogue the roles write, read from the test as any other process would.</summary>
    public PostgresFeatureCatalogue Catalogue => field ??= new PostgresFeatureCatalogue(Database);

    /// <summary>Every delivery to every role's consumer (<c>Bus:DeliveryLedger=true</c>).</summary>
    public PostgresDeliveryLedger Ledger => field ??= new PostgresDeliveryLedger(Database);

    public TempFolder Data { get; } = new("pipeline-data");

    public TempFolder Media { get; } = new("pipeline-media");

    public PipelineEvents Events => _client!.Services.GetRequiredService<PipelineEvents>();

    public IBus Bus => _client!.Services.GetRequiredService<IBus>();

    public IReadOnlyList<(string Name, VmnetProcess Process)> Workers => _workers;

    public static async Task<Pipeline> StartAsync(string broker, params string[][] roleSets)
    {
        var pipeline = new Pipeline(broker, await PostgresServer.NewDatabaseAsync("pipeline"));
        foreach (var roles in roleSets)
        {
            pipeline.StartWorker(roles);
        }

        await pipeline.WaitHealthyAsync();
        pipeline._client = VmNetHost.BuildClient(
            new Dictionary<string, string?> { ["Bus:Transport"] = "RabbitMq", ["Bus:RabbitMq:Uri"] = broker, ["Storage:DataDir"] = pipeline.Data.Path },
            b => b.AddPipelineEvents());
        await pipeline._client.StartAsync();
        return pipeline;
    }

    public VmnetProcess StartWorker(string[] roles, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = Ports.Free();
        List<string> args = ["serve", "--transport", "rabbitmq", "--rabbitmq", Broker, "--data", Data.Path, "--urls", $"http://127.0.0.1:{port}"];
        foreach (var role in roles)
        {
            args.AddRange(["--role", role]);
        }

        var process = VmnetProcess.Start(args, new Dictionary<string, string>
        {
            ["Ingest__MediaRoots__0"] = Media.Path,
            ["Telemetry__Console"] = "true",
            ["Search__GrpcUrl"] = "http://127.0.0.1:0",
            ["Search__HttpUrl"] = "http://127.0.0.1:0",
            ["Bus__Concurrency__audio-features"] = "1",
            ["Bus__Concurrency__video-features"] = "1",
            ["VMNET_TEST_HEALTH"] = $"http://127.0.0.1:{port}/health/ready",
            ["Catalogue__Kind"] = "Postgres",
            ["Catalogue__Postgres__ConnectionString"] = CatalogueConnectionString,
            ["Bus__DeliveryLedger"] = "true",
        }.Concat(environment ?? new Dictionary<string, string>()).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value));
        _workers.Add((string.Join('+', roles), process));
        return process;
    }

    public async Task WaitHealthyAsync()
    {
        foreach (var (_, process) in _workers.Where(w => !w.Process.HasExited))
        {
            var url = process.Environment["VMNET_TEST_HEALTH"];
            await Ports.WaitHealthyAsync(url, TimeSpan.FromMinutes(3), process);
        }
    }

    /// <summary>Publishes an ingest request inside an activity of its own, so its trace id is known.</summary>
    public async Task<(IngestRequested Request, string TraceId)> IngestAsync(
        string file, MediaKind kind, string? externalId = null, IReadOnlyDictionary<string, string>? labels = null)
    {
        // Recorded, so the sampler (parent-based) keeps the publish and everything downstream in this trace.
        using var activity = new Activity("test-ingest").SetIdFormat(ActivityIdFormat.W3C);
        activity.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        activity.Start();
        var request = new IngestRequested(Guid.NewGuid(), file, kind, DateTimeOffset.UtcNow, externalId, labels);
        await Bus.Publish(request);
        return (request, activity.TraceId.ToString());
    }

    /// <summary>
    /// The SQLite files (<c>*.db</c>) under the shared data directory that each live worker process has open now, from
    /// its /proc file table. (Files elsewhere are the process's own, e.g. a library's cache in its home.)
    /// </summary>
    public Dictionary<string, List<string>> OpenDatabaseFiles()
    {
        var open = new Dictionary<string, List<string>>();
        foreach (var (name, process) in _workers.Where(w => !w.Process.HasExited))
        {
            var files = new List<string>();
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{process.Id}/fd"))
                {
                    var target = new FileInfo(fd).LinkTarget;
                    if (target is not null && target.StartsWith(Data.Path, StringComparison.Ordinal)
                        && (target.EndsWith(".db", StringComparison.Ordinal) || target.EndsWith(".db-wal", StringComparison.Ordinal)))
                    {
                        files.Add(target);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process exited between the check and the read.
            }

            open[$"{name} (pid {process.Id})"] = files.Distinct().ToList();
        }

        return open;
    }

    /// <summary>The ledger's name for a worker process.</summary>
    public static string LedgerName(VmnetProcess process) => $"{Environment.MachineName}:{process.Id}";

    public string Logs() => string.Join("\n\n", _workers.Select(w => $"== {w.Name} (pid {w.Process.Id}) ==\n{w.Process.Output}"));

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.StopAsync();
            await _client.DisposeAsync();
        }

        foreach (var (_, process) in _workers)
        {
            process.Dispose();
        }

        await Database.DisposeAsync();
        Data.Dispose();
        Media.Dispose();
    }
}
