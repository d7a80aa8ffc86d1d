using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using VmNet.AudioFeatures.Service;
using VmNet.Contracts;
using VmNet.Corpus;
using VmNet.Embedder;
using VmNet.Hosting;
using VmNet.Ingest;
using VmNet.Media;
using VmNet.Search;
using VmNet.Search.Client;
using VmNet.ServiceDefaults;
using VmNet.Storage;
using VmNet.VideoFeatures.Service;

namespace VmNet.Bench;

public sealed record SoakOptions
{
    public required string DataDirectory { get; init; }

    public required string BrokerUri { get; init; }

    /// <summary>rabbitmqctl that reaches the broker (the broker restart is <c>stop_app</c> + <c>start_app</c>).</summary>
    public required string RabbitMqCtl { get; init; }

    /// <summary>A PostgreSQL server on which the soak may create a database of its own.</summary>
    public required string Postgres { get; init; }

    public double Minutes { get; init; } = 10;

    /// <summary>Pairs ingested per minute, one every 60/rate seconds.</summary>
    public double PairsPerMinute { get; init; } = 6;

    public double Seconds { get; init; } = 4;

    public int Seed { get; init; } = 23;

    public int QueryClients { get; init; } = 2;

    public void Validate()
    {
        Require(Minutes is > 0 and <= 24 * 60, $"minutes must be above 0 and at most 1440 (got {Minutes})");
        Require(PairsPerMinute is > 0 and <= 120, $"rate must be above 0 and at most 120 pairs per minute (got {PairsPerMinute})");
        Require(Seconds is > 0 and <= CorpusOptions.MaxSeconds, $"seconds must be above 0 and at most {CorpusOptions.MaxSeconds} (got {Seconds})");
        Require(QueryClients is >= 1 and <= 64, $"query clients must be 1 to 64 (got {QueryClients})");
        Require((int)Math.Ceiling(Minutes * PairsPerMinute) + 1 <= 10_000, "minutes × rate must stay under 10000 pairs");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}

/// <summary>One fault the soak injected, when (seconds into the run) and what it was.</summary>
public sealed record SoakFault(double AtSeconds, string Kind, string Detail);

public sealed record SoakResult(
    double Minutes,
    int Cores,
    int Sent,
    int Stored,
    int Lost,
    int Duplicated,
    int Redelivered,
    int ConsumedAgain,
    int Faults,
    IReadOnlyList<SoakFault> FaultLog,
    long Queries,
    long QueriesFailed,
    double Qps,
    double P50Ms,
    double P99Ms,
    double IngestPerHour,
    IReadOnlyDictionary<string, double> MemoryGrowthMiBPerHour,
    IReadOnlyDictionary<string, double> MemoryMiB,
    string LiveModel,
    bool Consistent,
    string Consistency,
    IReadOnlyList<string> Problems);

/// <summary>
/// <c>vmnet bench soak</c>: every role its own process on RabbitMQ with the catalogue and the delivery ledger in
/// PostgreSQL; pairs ingested at a set rate, gRPC queries all along, a hot swap to a second model mid-run and faults on
/// a schedule (broker restart, audio worker kill, embedder kill, broker restart). At the end, once nothing is left to
/// deliver: loss and duplicates from the ledger, catalogue against vector store, memory growth per process.
/// </summary>
public sealed class SoakBench(SoakOptions options, IProgress<string> progress)
{
    private const string FirstModel = "soak-v1";
    private const string SecondModel = "soak-v2";
    private static readonly TimeSpan SettleLimit = TimeSpan.FromMinutes(15);

    private readonly ConcurrentQueue<double> _latencies = new();
    private readonly ConcurrentDictionary<string, List<(double Hours, double MiB)>> _memory = new();
    private readonly List<SoakFault> _faults = [];
    private readonly List<(string Name, string[] Roles, RoleProcess Process)> _workers = [];
    private long _failedQueries;
    private Dictionary<string, string> _environment = [];
    private List<string> _busArguments = [];
    private string _logs = string.Empty;
    private int _started;

    public async Task<SoakResult> RunAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        var pairs = (int)Math.Ceiling(options.Minutes * options.PairsPerMinute) + 1;
        var corpus = await CorpusAsync(pairs, cancellationToken);
        var files = corpus.OfKind(CorpusItemKind.Pair).Select(corpus.PathOf).ToList();
        var runRoot = Path.Combine(options.DataDirectory, "bench", $"soak-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        Directory.CreateDirectory(runRoot);
        _logs = Path.Combine(runRoot, "logs");
        var database = await NewDatabaseAsync(cancellationToken);
        await using var postgres = PostgresDatabase.Create(new PostgresOptions { ConnectionString = database });
        var catalogue = new PostgresFeatureCatalogue(postgres);
        var ledger = new PostgresDeliveryLedger(postgres);
        var grpcPort = FreePort();
        _environment = new Dictionary<string, string>
        {
            ["Storage__DataDir"] = runRoot,
            ["Ingest__MediaRoots__0"] = corpus.Directory,
            ["Search__GrpcUrl"] = $"http://127.0.0.1:{grpcPort}",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Catalogue__Kind"] = "Postgres",
            ["Catalogue__Postgres__ConnectionString"] = database,
            ["Bus__DeliveryLedger"] = "true",
        };
        _busArguments = ["--transport", "rabbitmq", "--rabbitmq", options.BrokerUri, "--data", runRoot];
        string[][] roleSets = [[IngestRole.Name], [AudioFeaturesRole.Name], [VideoFeaturesRole.Name], [EmbedderRole.Name, SearchRole.Name]];
        try
        {
            foreach (var roles in roleSets)
            {
                Start(roles);
            }

            await WaitHealthyAsync(cancellationToken);
            var client = VmNetHost.BuildClient(
                new Dictionary<string, string?> { ["Bus:Transport"] = "RabbitMq", ["Bus:RabbitMq:Uri"] = options.BrokerUri, ["Storage:DataDir"] = runRoot, ["Logging:LogLevel:Default"] = "Error" },
                b => b.AddPipelineEvents());
            await client.StartAsync(cancellationToken);
            try
            {
                return await SoakAsync(client, files, catalogue, ledger, runRoot, grpcPort, cancellationToken);
            }
            finally
            {
                await client.StopAsync(CancellationToken.None);
                await client.DisposeAsync();
            }
        }
        finally
        {
            foreach (var (_, _, process) in _workers)
            {
                process.Dispose();
            }
        }
    }

    private async Task<SoakResult> SoakAsync(
        WebApplication client, List<string> files, PostgresFeatureCatalogue catalogue, PostgresDeliveryLedger ledger, string runRoot, int grpcPort, CancellationToken cancellationToken)
    {
        var events = client.Services.GetRequiredService<PipelineEvents>();
        var bus = client.Services.GetRequiredService<MassTransit.IBus>();

        // Warm-up: one pair through, its feature sizes give the models' input sizes; the first model goes live.
        progress.Report("warm-up: one pair, then the first model");
        var warmId = await MediaId.OfFileAsync(files[0], cancellationToken);
        await bus.Publish(new IngestRequested(Guid.NewGuid(), files[0], MediaKind.Pair, DateTimeOffset.UtcNow), cancellationToken);
        var audio = await events.WaitAsync<AudioFeaturesExtracted>(a => a.MediaId == warmId, SettleLimit, cancellationToken);
        var video = await events.WaitAsync<VideoFeaturesExtracted>(v => v.MediaId == warmId, SettleLimit, cancellationToken);
        await PublishModelAsync(bus, events, runRoot, FirstModel, audio.Vector.Length, video.Vector.Length, 1, cancellationToken);

        var ids = new List<string> { warmId };
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromMinutes(options.Minutes);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queryClock = Stopwatch.StartNew();
        var queries = Enumerable.Range(0, options.QueryClients).Select(_ => QueryLoopAsync(grpcPort, events, stop.Token)).ToList();
        var memory = MemoryLoopAsync(clock, stop.Token);

        // The schedule, as fractions of the run: faults and the hot swap spread over it.
        var schedule = new (double At, string Kind)[]
        {
            (0.2, "broker-restart"), (0.35, "worker-kill"), (0.5, "hot-swap"), (0.65, "embedder-kill"), (0.8, "broker-restart"),
        };
        var next = 0;
        var interval = TimeSpan.FromMinutes(1 / options.PairsPerMinute);
        for (var i = 1; i < files.Count && clock.Elapsed < duration; i++)
        {
            ids.Add(await MediaId.OfFileAsync(files[i], cancellationToken));
            await PublishWithRetryAsync(bus, new IngestRequested(Guid.NewGuid(), files[i], MediaKind.Pair, DateTimeOffset.UtcNow), cancellationToken);
            while (next < schedule.Length && clock.Elapsed >= duration * schedule[next].At)
            {
                await FaultAsync(schedule[next++].Kind, clock, bus, events, runRoot, audio.Vector.Length, video.Vector.Length, cancellationToken);
            }

            var due = interval * i;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }

            if (i % 10 == 0)
            {
                progress.Report($"{clock.Elapsed.TotalMinutes:0.0} min: {i} pairs sent, {_latencies.Count} queries, {_faults.Count} faults");
            }
        }

        var ingestElapsed = clock.Elapsed;
        progress.Report($"{ids.Count} pairs sent; waiting until every one is stored and nothing is left to deliver");
        await SettleAsync(ledger, catalogue, ids, cancellationToken);
        var settledElapsed = clock.Elapsed;
        await stop.CancelAsync();
        var queriedFor = queryClock.Elapsed.TotalSeconds;
        await Task.WhenAll(queries.Append(memory));

        var audit = DeliveryAudit.Of(await ledger.ReadAsync(cancellationToken), ids);
        var stored = 0;
        await foreach (var item in catalogue.ListAsync(MediaKind.Pair, cancellationToken))
        {
            stored += ids.Contains(item.MediaId) && item.MusicFeatures is not null && item.VideoFeatures is not null ? 1 : 0;
        }

        // The embedder's store is read from its files once that process is stopped, as after a crash.
        List<(string Name, string[] Roles, RoleProcess Process)> embedders;
        lock (_workers)
        {
            embedders = _workers.Where(w => w.Roles.Contains(EmbedderRole.Name)).ToList();
            _workers.RemoveAll(w => w.Roles.Contains(EmbedderRole.Name));
        }

        embedders.ForEach(w => w.Process.Dispose());

        var (consistent, consistency, live) = await ConsistencyAsync(catalogue, runRoot, ids, cancellationToken);
        var sorted = _latencies.Order().ToArray();
        double Rank(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        var growth = _memory.Where(m => m.Value.Count >= 3).ToDictionary(m => m.Key, m => Math.Round(Slope(m.Value), 1));
        var last = _memory.ToDictionary(m => m.Key, m => Math.Round(m.Value[^1].MiB, 1));
        progress.Report($"settled {settledElapsed.TotalSeconds - ingestElapsed.TotalSeconds:0} s after the last send; {audit}");
        return new SoakResult(
            options.Minutes, Environment.ProcessorCount, ids.Count, stored, audit.Lost, audit.Duplicated, audit.Redelivered, audit.ConsumedTwice,
            _faults.Count(f => f.Kind != "hot-swap"), _faults, sorted.Length, Interlocked.Read(ref _failedQueries),
            Math.Round(sorted.Length / queriedFor, 1), Math.Round(Rank(0.50), 2), Math.Round(Rank(0.99), 2),
            Math.Round(stored / settledElapsed.TotalHours, 0), growth, last, live, consistent, consistency, audit.Problems);
    }

    private async Task FaultAsync(
        string kind, Stopwatch clock, MassTransit.IBus bus, PipelineEvents events, string runRoot, int musicDim, int videoDim, CancellationToken cancellationToken)
    {
        var at = Math.Round(clock.Elapsed.TotalSeconds, 1);
        progress.Report($"{clock.Elapsed.TotalMinutes:0.0} min: {kind}");
        switch (kind)
        {
            case "broker-restart":
                await CtlAsync(["stop_app"], cancellationToken);
                await CtlAsync(["start_app"], cancellationToken);
                await CtlAsync(["await_startup"], cancellationToken);
                _faults.Add(new SoakFault(at, kind, "rabbitmqctl stop_app, start_app"));
                break;
            case "worker-kill":
                _faults.Add(new SoakFault(at, kind, Restart(AudioFeaturesRole.Name)));
                await WaitHealthyAsync(cancellationToken);
                break;
            case "embedder-kill":
                _faults.Add(new SoakFault(at, kind, Restart(EmbedderRole.Name)));
                await WaitHealthyAsync(cancellationToken);
                break;
            default:
                // The hot swap: a second model published mid-run; the embedder re-embeds the catalogue and flips.
                await PublishModelAsync(bus, events, runRoot, SecondModel, musicDim, videoDim, 2, cancellationToken);
                _faults.Add(new SoakFault(at, kind, $"{FirstModel} → {SecondModel}, re-embedded and live"));
                break;
        }
    }

    /// <summary>Kills the (first live) process running <paramref name="role"/> without warning and starts it again.</summary>
    private string Restart(string role)
    {
        (string Name, string[] Roles, RoleProcess Process) victim;
        lock (_workers)
        {
            victim = _workers.First(w => w.Roles.Contains(role));
            _workers.Remove(victim);
        }

        var pid = victim.Process.Id;
        victim.Process.Dispose();
        var started = Start(victim.Roles);
        return $"{victim.Name} (pid {pid}) killed, restarted as pid {started.Id}";
    }

    private RoleProcess Start(string[] roles)
    {
        var name = string.Join('+', roles);
        var n = Interlocked.Increment(ref _started);
        var process = RoleProcess.Start(
            $"{name}#{n}", _busArguments.Concat(roles.SelectMany(r => new[] { "--role", r })), _environment, Path.Combine(_logs, $"{n:00}-{name}.log"));
        lock (_workers)
        {
            _workers.Add((name, roles, process));
        }

        return process;
    }

    private List<RoleProcess> Live()
    {
        lock (_workers)
        {
            return _workers.Select(w => w.Process).Where(p => !p.HasExited).ToList();
        }
    }

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        foreach (var process in Live())
        {
            await process.WaitHealthyAsync(TimeSpan.FromMinutes(3), cancellationToken);
        }
    }

    private static async Task PublishModelAsync(
        MassTransit.IBus bus, PipelineEvents events, string runRoot, string version, int musicDim, int videoDim, int seed, CancellationToken cancellationToken)
    {
        var location = RandomModel.Write(runRoot, version, musicDim, videoDim, seed);
        await bus.Publish(new ModelPublished(version, Guid.NewGuid(), location, ImmutableDictionary<string, double>.Empty, DateTimeOffset.UtcNow), cancellationToken);
        if (await events.WaitActivationAsync(version, SettleLimit, cancellationToken) is ModelActivationFailed failed)
        {
            throw new InvalidOperationException($"model {version} was not activated: {failed.Reason}");
        }
    }

    /// <summary>A publish during a broker restart fails until the client has reconnected: tried again, never dropped.</summary>
    private static async Task PublishWithRetryAsync(MassTransit.IBus bus, IngestRequested request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await bus.Publish(request, cancellationToken);
                return;
            }
            catch (Exception e) when (attempt < 60 && e is not OperationCanceledException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    /// <summary>Queries all along: the music for a random embedded video, over gRPC, as a client would.</summary>
    private async Task QueryLoopAsync(int port, PipelineEvents events, CancellationToken cancellationToken)
    {
        using var search = new SearchClient(new Uri($"http://127.0.0.1:{port}"));
        var random = new Random(options.Seed);
        while (!cancellationToken.IsCancellationRequested)
        {
            var embedded = events.OfType<MediaEmbedded>().Select(m => m.MediaId).Distinct().ToList();
            if (embedded.Count == 0)
            {
                await Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                continue;
            }

            var clock = Stopwatch.StartNew();
            try
            {
                await search.FindMusicForVideoIdAsync(embedded[random.Next(embedded.Count)], cancellationToken: cancellationToken);
                _latencies.Enqueue(clock.Elapsed.TotalMilliseconds);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // The search process is down while the embedder + search process restarts: counted, and paced.
                Interlocked.Increment(ref _failedQueries);
                await Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Resident memory of every role process every 10 s, each process its own series (a restart starts a new one).</summary>
    private async Task MemoryLoopAsync(Stopwatch clock, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var process in Live())
            {
                if (ResidentMiB(process.Id) is { } mib)
                {
                    _memory.GetOrAdd($"{process.Name} (pid {process.Id})", _ => []).Add((clock.Elapsed.TotalHours, mib));
                }
            }

            await Delay(TimeSpan.FromSeconds(10), cancellationToken);
        }
    }

    /// <summary>
    /// Every sent pair stored with both halves; then no live process holds an unfinished delivery and the broker's
    /// queues are empty (error queues aside: the audit counts what went there as lost). Fails at its deadline.
    /// </summary>
    private async Task SettleAsync(PostgresDeliveryLedger ledger, PostgresFeatureCatalogue catalogue, List<string> ids, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + SettleLimit;
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        while (true)
        {
            var stored = 0;
            await foreach (var item in catalogue.ListAsync(MediaKind.Pair, cancellationToken))
            {
                stored += wanted.Contains(item.MediaId) && item.MusicFeatures is not null && item.VideoFeatures is not null ? 1 : 0;
            }

            var live = Live().Select(p => $"{Environment.MachineName}:{p.Id}").ToHashSet();
            var unfinished = DeliveryAudit.Unfinished(await ledger.ReadAsync(cancellationToken)).Count(r => live.Contains(r.Process));
            var busy = stored == ids.Count && unfinished == 0 ? await BusyQueuesAsync(cancellationToken) : ["not checked"];
            if (stored == ids.Count && unfinished == 0 && busy.Count == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                // Reported, not thrown: the figures say what was lost.
                progress.Report($"not settled within {SettleLimit}: {stored}/{ids.Count} stored, {unfinished} deliveries unfinished, queues {string.Join(", ", busy)}");
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private async Task<List<string>> BusyQueuesAsync(CancellationToken cancellationToken)
    {
        var vhost = Uri.UnescapeDataString(new Uri(options.BrokerUri).AbsolutePath.TrimStart('/')) is { Length: > 0 } v ? v : "/";
        var listing = await CtlAsync(["list_queues", "-p", vhost, "name", "messages_ready", "messages_unacknowledged", "--no-table-headers"], cancellationToken);
        return listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('\t'))
            .Where(q => q.Length == 3 && !q[0].EndsWith("_error", StringComparison.Ordinal) && (q[1] != "0" || q[2] != "0"))
            .Select(q => $"{q[0]} {q[1]}+{q[2]}")
            .ToList();
    }

    /// <summary>The catalogue's pairs against the live generation: the same media ids, both halves, nothing else.</summary>
    private static async Task<(bool Consistent, string Detail, string Live)> ConsistencyAsync(
        PostgresFeatureCatalogue catalogue, string runRoot, List<string> ids, CancellationToken cancellationToken)
    {
        var pairs = new List<string>();
        await foreach (var item in catalogue.ListAsync(MediaKind.Pair, cancellationToken))
        {
            pairs.Add(item.MediaId);
        }

        using var store = new EmbeddedVectorStore(new DataDirectory(runRoot), Options.Create(new VectorStoreOptions()), NullLogger<EmbeddedVectorStore>.Instance);
        var live = (await store.ListGenerationsAsync(cancellationToken)).SingleOrDefault(g => g.IsLive);
        if (live is null)
        {
            return (false, "no live generation", "none");
        }

        var missing = 0;
        foreach (var id in pairs)
        {
            foreach (var modality in new[] { Modality.Music, Modality.Video })
            {
                missing += await store.GetVectorAsync(live.Generation, modality, id, cancellationToken) is null ? 1 : 0;
            }
        }

        var unknown = pairs.Except(ids, StringComparer.Ordinal).Count();
        var consistent = missing == 0 && unknown == 0 && live.MusicCount == pairs.Count && live.VideoCount == pairs.Count;
        return (consistent,
            $"catalogue {pairs.Count} pairs, live {live.Generation} {live.MusicCount} music / {live.VideoCount} video vectors, {missing} halves missing, {unknown} pairs not sent",
            live.Generation);
    }

    private async Task<string> CtlAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(options.RabbitMqCtl, ["-q", .. arguments], TimeSpan.FromMinutes(2), cancellationToken, captureStdout: true);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)}: {result.StandardError}");
        }

        return System.Text.Encoding.UTF8.GetString(result.StandardOutput);
    }

    private async Task<string> NewDatabaseAsync(CancellationToken cancellationToken)
    {
        var server = new NpgsqlConnectionStringBuilder(options.Postgres);
        var name = $"vmnet_soak_{DateTime.UtcNow:yyyyMMddHHmmss}";
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        server.Database = name;
        progress.Report($"catalogue and delivery ledger in database {name}");
        return server.ConnectionString;
    }

    private async Task<CorpusManifest> CorpusAsync(int pairs, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(options.DataDirectory, "bench", $"soak-corpus-{options.Seconds:0.##}s-seed{options.Seed}");
        progress.Report($"corpus: {pairs} pairs of {options.Seconds:0.##} s in {folder}");
        var corpusOptions = new CorpusOptions { OutputDirectory = folder, Pairs = pairs, Seconds = options.Seconds, Seed = options.Seed };
        return await CorpusGenerator.GenerateAsync(corpusOptions, new Progress<CorpusProgress>(_ => { }), cancellationToken);
    }

    /// <summary>MiB per hour: the least-squares slope of resident memory over time.</summary>
    private static double Slope(List<(double Hours, double MiB)> samples)
    {
        var meanX = samples.Average(s => s.Hours);
        var meanY = samples.Average(s => s.MiB);
        var num = samples.Sum(s => (s.Hours - meanX) * (s.MiB - meanY));
        var den = samples.Sum(s => (s.Hours - meanX) * (s.Hours - meanX));
        return den == 0 ? 0 : num / den;
    }

    private static double? ResidentMiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process exited between the listing and the read.
            return null;
        }
    }

    private static async Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
