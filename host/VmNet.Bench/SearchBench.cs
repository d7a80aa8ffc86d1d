using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Search;
using VmNet.Hosting;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Search.Grpc;
using VmNet.Search.V1;
using MediaKind = VmNet.Contracts.MediaKind;
using Modality = VmNet.Contracts.Modality;
using VmNet.Commands;

namespace VmNet.Bench;

/// <summary>
/// <c>vmnet bench search</c>: starts a search server on loopback over an embedded store of random unit vectors and
/// drives it with a bounded load generator of ours (C clients, fixed duration). Reports p50/p95/p99 and queries/s
/// per catalogue size and client count, the in-process store search as the baseline of the same run, and a run
/// in which a new generation goes live mid-load (failed requests and answers per model version).
/// </summary>
public static class SearchBench
{
    private const int QueryVideos = 1000;
    private const int TopK = 10;

    public sealed record Run(
        string Name, int Catalogue, int Clients, long Requests, long Failed, double QueriesPerSecond,
        double P50Ms, double P95Ms, double P99Ms, IReadOnlyDictionary<string, long> AnswersPerVersion);

    public sealed record Baseline(int Catalogue, double P50Ms, double P99Ms);

    public sealed record Report(
        int Dimension, double SecondsPerRun, IReadOnlyList<Baseline> Baselines, IReadOnlyList<Run> Runs,
        IReadOnlyList<string> Notes);

    public static Command Create()
    {
        var catalogue = new Option<int[]>("--catalogue")
        {
            Description = "Catalogue sizes (music tracks) to measure; repeatable. Default: 10000 and 200000",
            AllowMultipleArgumentsPerToken = true,
        };
        var clients = new Option<int[]>("--clients")
        {
            Description = "Concurrent clients; repeatable. Default: 1, 8 and 64",
            AllowMultipleArgumentsPerToken = true,
        };
        var seconds = new Option<double>("--seconds") { Description = "Measured seconds per run", DefaultValueFactory = _ => 3 };
        var dimension = new Option<int>("--dim") { Description = "Embedding dimension of the random vectors", DefaultValueFactory = _ => 64 };
        var command = new Command("search", "Search latency and throughput over gRPC on loopback (p50/p95/p99, qps), with a model swap under load.")
        {
            catalogue, clients, seconds, dimension,
        };
        command.SetAction(async (parse, ct) =>
        {
            var sizes = parse.GetValue(catalogue) is { Length: > 0 } c ? c : [10_000, 200_000];
            var counts = parse.GetValue(clients) is { Length: > 0 } n ? n : [1, 8, 64];
            if (sizes.Any(s => s < TopK) || counts.Any(k => k < 1) || parse.GetValue(dimension) < 2)
            {
                throw new UsageException("--catalogue must be at least 10, --clients at least 1, --dim at least 2");
            }

            var report = await RunAsync(sizes, counts, TimeSpan.FromSeconds(Math.Clamp(parse.GetValue(seconds), 0.5, 120)), parse.GetValue(dimension), ct);
            Console.WriteLine(parse.GetValue(CliOptions.Json) ? JsonSerializer.Serialize(report, CliJson.Options) : Describe(report));
            return report.Runs.All(r => r.Failed == 0) ? 0 : 1;
        });
        return command;
    }

    public static async Task<Report> RunAsync(IReadOnlyList<int> sizes, IReadOnlyList<int> clientCounts, TimeSpan duration, int dimension, CancellationToken ct)
    {
        var baselines = new List<Baseline>();
        var runs = new List<Run>();
        var folder = Path.Combine(Path.GetTempPath(), $"vmnet-bench-search-{Guid.NewGuid():N}");
        try
        {
            // One server for all sizes (MassTransit keeps process-wide logging state, so hosts are not rebuilt):
            // each size is its own pair of generations, made live in turn.
            await using var app = VmNetHost.Build([SearchRole.Name], new Dictionary<string, string?>
            {
                ["Storage:DataDir"] = folder,
                ["Search:GrpcUrl"] = "http://127.0.0.1:0",
                ["Search:HttpUrl"] = string.Empty,
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:MassTransit"] = "Error",
                // Random vectors have no model folder to preload; that is expected here.
                ["Logging:LogLevel:VmNet.Search.LiveModelMonitor"] = "Error",
            });
            var store = app.Services.GetRequiredService<IVectorStore>();
            await app.StartAsync(ct);
            var address = app.Services.GetRequiredService<SearchEndpoints>().GrpcAddress!;
            using var channel = GrpcChannel.ForAddress(address);
            var client = new SearchService.SearchServiceClient(channel);
            foreach (var size in sizes)
            {
                var random = new Random(size);
                var ids = await FillAsync(store, $"bench-{size}-a", size, dimension, random, ct);
                await store.ActivateAsync($"bench-{size}-a", ct);
                baselines.Add(await BaselineAsync(store, size, dimension, random, duration, ct));
                await LoadAsync(client, ids, 4, TimeSpan.FromSeconds(0.5), null, ct); // warm-up: JIT, connection, caches
                foreach (var count in clientCounts)
                {
                    runs.Add(await LoadAsync(client, ids, count, duration, null, ct) with { Name = "steady", Catalogue = size });
                }

                // A new generation of the same items goes live halfway through a run.
                await FillAsync(store, $"bench-{size}-b", size, dimension, random, ct);
                runs.Add(await LoadAsync(client, ids, clientCounts.Max(), duration, () => store.ActivateAsync($"bench-{size}-b", ct), ct) with { Name = "swap", Catalogue = size });
            }

            await app.StopAsync(ct);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        return new Report(dimension, duration.TotalSeconds, baselines, runs,
        [
            "queries: FindMusic by catalogue video id, top 10, one HTTP/2 connection shared by all clients",
            "baseline: IVectorStore.SearchAsync in process, one caller, same catalogue",
            "swap: generation bench-b activated halfway; every answer names exactly one model version",
        ]);
    }

    // Random unit vectors: `size` music tracks and the query videos, all of kind Pair so filters would see them.
    private static async Task<string[]> FillAsync(IVectorStore store, string generation, int size, int dimension, Random random, CancellationToken ct)
    {
        await store.CreateGenerationAsync(generation, dimension, ct);
        const int batch = 5000;
        for (var start = 0; start < size; start += batch)
        {
            var records = Enumerable.Range(start, Math.Min(batch, size - start))
                .Select(i => new VectorRecord(Id(i), Modality.Music, Unit(random, dimension), MediaKind.Pair, 60 + (i % 240), 60 + (i % 120)))
                .ToList();
            await store.UpsertAsync(generation, records, ct);
        }

        var videos = Enumerable.Range(0, QueryVideos).Select(i => new VectorRecord(Id(i), Modality.Video, Unit(random, dimension), MediaKind.Pair, 60, null)).ToList();
        await store.UpsertAsync(generation, videos, ct);
        return [.. videos.Select(v => v.MediaId)];
    }

    private static async Task<Baseline> BaselineAsync(IVectorStore store, int size, int dimension, Random random, TimeSpan duration, CancellationToken ct)
    {
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration / 2)
        {
            var query = Unit(random, dimension);
            var start = Stopwatch.GetTimestamp();
            await store.SearchAsync(Modality.Music, query, TopK, null, ct);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        latencies.Sort();
        return new Baseline(size, Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }

    private static async Task<Run> LoadAsync(
        SearchService.SearchServiceClient client, string[] ids, int clients, TimeSpan duration, Func<Task>? midway, CancellationToken ct)
    {
        var latencies = new ConcurrentBag<double>();
        var versions = new ConcurrentDictionary<string, long>();
        long failed = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var local = new List<double>();
            for (var i = c; clock.Elapsed < duration; i += clients)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    var reply = await client.FindMusicAsync(
                        new SearchRequest { MediaId = ids[i % ids.Length], Options = new QueryOptions { TopK = TopK } }, cancellationToken: ct);
                    local.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    versions.AddOrUpdate(reply.ModelVersion, 1, (_, n) => n + 1);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref failed);
                }
            }

            foreach (var l in local)
            {
                latencies.Add(l);
            }
        }, ct)).ToList();
        if (midway is not null)
        {
            await Task.Delay(duration / 2, ct);
            await midway();
        }

        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed.TotalSeconds;
        var sorted = latencies.Order().ToList();
        return new Run(string.Empty, 0, clients, sorted.Count + failed, failed, sorted.Count / elapsed,
            Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99), versions.ToDictionary());
    }

    private static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string Id(int i) => MediaId.OfBytes(BitConverter.GetBytes(i));

    private static float[] Unit(Random random, int dimension)
    {
        var v = new float[dimension];
        for (var i = 0; i < dimension; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }

        var norm = MathF.Sqrt(v.Sum(x => x * x));
        for (var i = 0; i < dimension; i++)
        {
            v[i] /= norm;
        }

        return v;
    }

    private static string Describe(Report report)
    {
        var lines = new List<string> { $"search over gRPC on loopback, dim {report.Dimension}, {report.SecondsPerRun:0.#} s per run" };
        foreach (var b in report.Baselines)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"baseline  catalogue {b.Catalogue,7}: in-process store p50 {b.P50Ms:0.000} ms, p99 {b.P99Ms:0.000} ms"));
        }

        lines.Add("run     catalogue clients  requests failed      qps   p50 ms   p95 ms   p99 ms  p50/baseline  answers per version");
        foreach (var r in report.Runs)
        {
            var baseline = report.Baselines.FirstOrDefault(b => b.Catalogue == r.Catalogue)?.P50Ms ?? double.NaN;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name,-7} {r.Catalogue,9} {r.Clients,7} {r.Requests,9} {r.Failed,6} {r.QueriesPerSecond,8:0} {r.P50Ms,8:0.00} {r.P95Ms,8:0.00} {r.P99Ms,8:0.00} {r.P50Ms / baseline,13:0.0}  {string.Join(", ", r.AnswersPerVersion.OrderBy(v => v.Key).Select(v => $"{v.Key}={v.Value}"))}"));
        }

        lines.AddRange(report.Notes.Select(n => "note: " + n));
        return string.Join(Environment.NewLine, lines);
    }
}
