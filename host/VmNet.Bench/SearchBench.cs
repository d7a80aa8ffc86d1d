using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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
using VmNet.Storage;

namespace VmNet.Bench;

/// <summary>
/// <c>vmnet bench search</c>: starts a search server on loopback over an embedded store of random unit vectors and
/// drives it with a bounded load generator of ours (C clients, fixed duration). Reports p50/p95/p99 and queries/s
/// per catalogue size and client count, the in-process store search as the baseline of the same run, and a run
/// in which a new generation goes live mid-load (failed requests and answers per model version), and recall@10 of the
/// store's answers against the exact scan. With <c>--baseline</c> (default) each size is first measured with the store
/// settings before quantisation (Float32 graph, no rescoring) in the same process, and the report gives the ratios.
/// </summary>
public static class SearchBench
{
    private const int QueryVideos = 1000;
    private const int TopK = 10;
    private const int RecallQueries = 200;

    /// <summary>The live model's embedding width (models/…/manifest: 512), the bench's default.</summary>
    public const int ModelDimension = 512;

    public sealed record Run(
        string Name, string Config, int Catalogue, int Clients, long Requests, long Failed, double QueriesPerSecond,
        double P50Ms, double P95Ms, double P99Ms, IReadOnlyDictionary<string, long> AnswersPerVersion);

    public sealed record Baseline(string Config, int Catalogue, double P50Ms, double P99Ms, double RecallAt10, double InsertsPerSecond);

    public sealed record Report(
        int Dimension, double SecondsPerRun, IReadOnlyList<string> Configs, IReadOnlyList<Baseline> Baselines, IReadOnlyList<Run> Runs,
        IReadOnlyList<string> Notes);

    /// <summary>A store configuration measured by the bench: the graph's scalar type and the rescoring oversample.</summary>
    public sealed record StoreConfig(string Name, VectorQuantization Quantization, int RescoreFactor)
    {
        public static StoreConfig Before { get; } = new("f32", VectorQuantization.Float32, 1);

        public void ApplyTo(VectorStoreOptions options)
        {
            options.Quantization = Quantization;
            options.RescoreFactor = RescoreFactor;
        }
    }

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
        var dimension = new Option<int>("--dim") { Description = "Embedding dimension of the random vectors (default: the live model's, 512)", DefaultValueFactory = _ => ModelDimension };
        var baseline = new Option<bool>("--baseline")
        {
            Description = "Also measure the settings before quantisation (Float32 graph, no rescoring) in the same run and give ratios",
            DefaultValueFactory = _ => true,
        };
        var channels = new Option<int>("--channels") { Description = "HTTP/2 connections the clients share", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("search", "Search latency and throughput over gRPC on loopback (p50/p95/p99, qps, recall@10), with a model swap under load.")
        {
            catalogue, clients, seconds, dimension, baseline, channels,
        };
        command.SetAction(async (parse, ct) =>
        {
            var sizes = parse.GetValue(catalogue) is { Length: > 0 } c ? c : [10_000, 200_000];
            var counts = parse.GetValue(clients) is { Length: > 0 } n ? n : [1, 8, 64];
            if (sizes.Any(s => s < TopK) || counts.Any(k => k < 1) || parse.GetValue(dimension) < 2 || parse.GetValue(channels) < 1)
            {
                throw new UsageException("--catalogue must be at least 10, --clients at least 1, --dim at least 2, --channels at least 1");
            }

            var report = await RunAsync(
                sizes, counts, TimeSpan.FromSeconds(Math.Clamp(parse.GetValue(seconds), 0.5, 120)), parse.GetValue(dimension), ct,
                parse.GetValue(baseline), Math.Min(parse.GetValue(channels), 64));
            Console.WriteLine(parse.GetValue(CliOptions.Json) ? JsonSerializer.Serialize(report, CliJson.Options) : Describe(report));
            return report.Runs.All(r => r.Failed == 0) ? 0 : 1;
        });
        return command;
    }

    public static async Task<Report> RunAsync(
        IReadOnlyList<int> sizes, IReadOnlyList<int> clientCounts, TimeSpan duration, int dimension, CancellationToken ct,
        bool withBaseline = false, int channelCount = 1)
    {
        var baselines = new List<Baseline>();
        var runs = new List<Run>();
        var configs = new List<StoreConfig>();
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
            // The store's options object is read when a generation's graphs are made (scalar type) and on every search
            // (rescoring); the bench switches it between configurations, each measured on generations of its own.
            var options = app.Services.GetRequiredService<IOptions<VectorStoreOptions>>().Value;
            var configured = new StoreConfig("configured", options.Quantization, options.RescoreFactor);
            configs.Add(configured);
            if (withBaseline)
            {
                configs.Insert(0, StoreConfig.Before);
            }

            await app.StartAsync(ct);
            var address = app.Services.GetRequiredService<SearchEndpoints>().GrpcAddress!;
            var channels = Enumerable.Range(0, channelCount).Select(_ => GrpcChannel.ForAddress(address)).ToList();
            var clientsOf = channels.Select(c => new SearchService.SearchServiceClient(c)).ToArray();
            try
            {
                foreach (var size in sizes)
                {
                    foreach (var config in configs)
                    {
                        config.ApplyTo(options);
                        var random = new Random(size);
                        var generation = $"bench-{size}-{config.Name}";
                        var fill = Stopwatch.StartNew();
                        var (ids, queries) = await FillAsync(store, generation, size, dimension, random, ct);
                        var insertsPerSecond = size / fill.Elapsed.TotalSeconds;
                        await store.ActivateAsync(generation, ct);
                        baselines.Add(await BaselineAsync(store, config.Name, size, queries, insertsPerSecond, duration, ct));
                        await LoadAsync(clientsOf, ids, 4, TimeSpan.FromSeconds(0.5), null, ct); // warm-up: JIT, connection, caches
                        foreach (var count in clientCounts)
                        {
                            runs.Add(await LoadAsync(clientsOf, ids, count, duration, null, ct) with { Name = "steady", Config = config.Name, Catalogue = size });
                        }

                        if (config == configured)
                        {
                            // A new generation of the same items goes live halfway through a run.
                            await FillAsync(store, $"{generation}-b", size, dimension, random, ct);
                            runs.Add(await LoadAsync(clientsOf, ids, clientCounts.Max(), duration, () => store.ActivateAsync($"{generation}-b", ct), ct)
                                with { Name = "swap", Config = config.Name, Catalogue = size });
                        }
                    }
                }
            }
            finally
            {
                channels.ForEach(c => c.Dispose());
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

        return new Report(dimension, duration.TotalSeconds, [.. configs.Select(c => $"{c.Name}: {c.Quantization} graph, rescoring {c.RescoreFactor}x")], baselines, runs,
        [
            $"queries: FindMusic by catalogue video id, top 10, clients spread over {channelCount} HTTP/2 connection(s)",
            $"in-process: IVectorStore.SearchAsync, one caller, same catalogue; recall@10 of its answers against the exact scan over {RecallQueries} query videos",
            "insert/s: the whole catalogue written through IVectorStore.UpsertAsync in batches of 5000 (SQLite and graph)",
            "swap: generation bench-b activated halfway; every answer names exactly one model version",
        ]);
    }

    // Clustered unit vectors (size/50 centres, the shape trained embeddings have; see StoreBench): `size` music
    // tracks and the query videos around the same centres, all of kind Pair so filters would see them.
    private static async Task<(string[] Ids, float[][] Vectors)> FillAsync(IVectorStore store, string generation, int size, int dimension, Random random, CancellationToken ct)
    {
        await store.CreateGenerationAsync(generation, dimension, ct);
        var centres = Enumerable.Range(0, Math.Max(1, size / 50)).Select(_ => StoreBench.Gaussian(random, 1, dimension)).ToArray();

        const int batch = 5000;
        for (var start = 0; start < size; start += batch)
        {
            var records = Enumerable.Range(start, Math.Min(batch, size - start))
                .Select(i => new VectorRecord(Id(i), Modality.Music, StoreBench.Clustered(random, centres), MediaKind.Pair, 60 + (i % 240), 60 + (i % 120)))
                .ToList();
            await store.UpsertAsync(generation, records, ct);
        }

        var videos = Enumerable.Range(0, QueryVideos).Select(i => new VectorRecord(Id(i), Modality.Video, StoreBench.Clustered(random, centres), MediaKind.Pair, 60, null)).ToList();
        await store.UpsertAsync(generation, videos, ct);
        return ([.. videos.Select(v => v.MediaId)], [.. videos.Select(v => v.Vector)]);
    }

    // The query videos' vectors are the queries the gRPC runs make (FindMusic by video id searches with them).
    private static async Task<Baseline> BaselineAsync(
        IVectorStore store, string config, int size, float[][] queries, double insertsPerSecond, TimeSpan duration, CancellationToken ct)
    {
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < duration / 2; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await store.SearchAsync(Modality.Music, queries[i % queries.Length], TopK, null, ct);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        var found = 0;
        var step = Math.Max(1, queries.Length / RecallQueries);
        var asked = 0;
        for (var i = 0; i < queries.Length && asked < RecallQueries; i += step, asked++)
        {
            var ann = await store.SearchAsync(Modality.Music, queries[i], TopK, null, ct);
            var exact = await store.SearchExactAsync(Modality.Music, queries[i], TopK, null, ct);
            found += ann.Hits.Select(h => h.MediaId).Intersect(exact.Hits.Select(h => h.MediaId), StringComparer.Ordinal).Count();
        }

        latencies.Sort();
        return new Baseline(config, size, Percentile(latencies, 0.50), Percentile(latencies, 0.99), found / (double)(asked * TopK), insertsPerSecond);
    }

    private static async Task<Run> LoadAsync(
        SearchService.SearchServiceClient[] channels, string[] ids, int clients, TimeSpan duration, Func<Task>? midway, CancellationToken ct)
    {
        var latencies = new ConcurrentBag<double>();
        var versions = new ConcurrentDictionary<string, long>();
        long failed = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var local = new List<double>();
            var client = channels[c % channels.Length];
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
        return new Run(string.Empty, string.Empty, 0, clients, sorted.Count + failed, failed, sorted.Count / elapsed,
            Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99), versions.ToDictionary());
    }

    private static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string Id(int i) => MediaId.OfBytes(BitConverter.GetBytes(i));

    private static string Describe(Report report)
    {
        var lines = new List<string> { $"search over gRPC on loopback, dim {report.Dimension}, {report.SecondsPerRun:0.#} s per run, {Environment.ProcessorCount} cores" };
        lines.AddRange(report.Configs.Select(c => "config " + c));
        lines.Add("config      catalogue  insert/s  in-process p50 ms  p99 ms  recall@10");
        foreach (var b in report.Baselines)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{b.Config,-11} {b.Catalogue,9} {b.InsertsPerSecond,9:0} {b.P50Ms,18:0.000} {b.P99Ms,7:0.000} {b.RecallAt10,10:0.0000}"));
        }

        lines.Add("run    config      catalogue clients  requests failed      qps   p50 ms   p95 ms   p99 ms  qps/f32  p99/f32  answers per version");
        foreach (var r in report.Runs)
        {
            var before = report.Runs.FirstOrDefault(b => b.Config == StoreConfig.Before.Name && b.Name == r.Name && b.Catalogue == r.Catalogue && b.Clients == r.Clients);
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name,-6} {r.Config,-11} {r.Catalogue,9} {r.Clients,7} {r.Requests,9} {r.Failed,6} {r.QueriesPerSecond,8:0} {r.P50Ms,8:0.00} {r.P95Ms,8:0.00} {r.P99Ms,8:0.00} {r.QueriesPerSecond / before?.QueriesPerSecond,8:0.00} {r.P99Ms / before?.P99Ms,8:0.00}  {string.Join(", ", r.AnswersPerVersion.OrderBy(v => v.Key).Select(v => $"{v.Key}={v.Value}"))}"));
        }

        lines.AddRange(report.Notes.Select(n => "note: " + n));
        return string.Join(Environment.NewLine, lines);
    }
}
