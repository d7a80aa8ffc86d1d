using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Storage;
using VmNet.Commands;

namespace VmNet.Bench;

/// <summary>One size of the store benchmark: ANN against the exact scan measured in the same run.</summary>
public sealed record StoreBenchRow(
    string Distribution,
    int Vectors, int Dimension, int Queries, double InsertsPerSecond, double BuildSeconds,
    double AnnP50Ms, double AnnP99Ms, double ExactP50Ms, double ExactP99Ms, double SpeedupP50, double RecallAt10, double ReloadSeconds, double SaveSeconds = 0,
    string Settings = "", double InsertCpuSeconds = 0, double CpuBoundInsertsPerSecond = 0, double InsertRatioToBaseline = 1, double CpuBoundInsertRatioToBaseline = 1);

/// <summary>
/// <c>vmnet bench store</c>: random unit vectors into the embedded store (SQLite + USearch, durable, batches inserted in
/// parallel), then recall@10 and latency of ANN against exact search, the time to save the graph on a clean stop and to load it again.
/// </summary>
public static class StoreBench
{
    public const int Dimension = 512;
    public const int K = 10;

    /// <summary>
    /// Clustered: points scattered around size/50 random centres (cosine ≈ 0.5 inside a cluster), the shape trained
    /// embeddings have. Uniform: isotropic directions, where neighbours are barely nearer than anything else (worst case).
    /// </summary>
    public static async Task<StoreBenchRow> RunAsync(int size, int queries, bool clustered, VectorStoreOptions options, string folder, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, Math.Max(1, size / 50)).Select(_ => Gaussian(random, 1, Dimension)).ToArray();
        float[] Next() => clustered ? Clustered(random, centres) : VectorMath.Normalized(Gaussian(random, 1, Dimension), Dimension);
        var path = Path.Combine(folder, $"bench-{size}.db");
        StoreBenchRow row;
        var saving = new Stopwatch();
        using (var store = new EmbeddedVectorStore(path, options, NullLogger<EmbeddedVectorStore>.Instance))
        {
            await store.CreateGenerationAsync("bench", Dimension, cancellationToken);
            // Every vector made before the clock starts: the rate is the store's, not the generator's.
            var all = Enumerable.Range(0, size).Select(_ => Next()).ToList();
            var cpu = CpuClock.Seconds();
            var clock = Stopwatch.StartNew();
            const int batch = 5000;
            for (var start = 0; start < size; start += batch)
            {
                var records = Enumerable.Range(start, Math.Min(batch, size - start))
                    .Select(i => new VectorRecord($"v{i:D7}", Modality.Music, all[i], MediaKind.Music, 60, null))
                    .ToList();
                await store.UpsertAsync("bench", records, cancellationToken);
            }

            var build = clock.Elapsed.TotalSeconds;
            var insertCpu = CpuClock.Seconds() - cpu;
            await store.ActivateAsync("bench", cancellationToken);
            var queryVectors = Enumerable.Range(0, queries).Select(_ => Next()).ToList();
            await store.SearchAsync(Modality.Music, queryVectors[0], K, null, cancellationToken);

            var ann = new List<double>(queries);
            var exact = new List<double>(queries);
            var recall = 0.0;
            foreach (var q in queryVectors)
            {
                clock.Restart();
                var a = await store.SearchAsync(Modality.Music, q, K, null, cancellationToken);
                ann.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                var e = await store.SearchExactAsync(Modality.Music, q, K, null, cancellationToken);
                exact.Add(clock.Elapsed.TotalMilliseconds);
                recall += a.Hits.Select(h => h.MediaId).Intersect(e.Hits.Select(h => h.MediaId)).Count() / (double)K;
            }

            row = new StoreBenchRow(clustered ? "clustered" : "uniform", size, Dimension, queries, size / build, build,
                Percentile(ann, 0.5), Percentile(ann, 0.99), Percentile(exact, 0.5), Percentile(exact, 0.99),
                Percentile(exact, 0.5) / Percentile(ann, 0.5), recall / queries, 0, 0,
                $"connectivity {options.Connectivity}, expansion add {options.ExpansionAdd} / search {options.ExpansionSearch}, {options.Quantization}",
                insertCpu, size * Environment.ProcessorCount / insertCpu);
            saving.Restart();
        }

        // Disposing saved the graph; the reload loads it instead of rebuilding.
        row = row with { SaveSeconds = saving.Elapsed.TotalSeconds };

        var reload = Stopwatch.StartNew();
        using (new EmbeddedVectorStore(path, options, NullLogger<EmbeddedVectorStore>.Instance))
        {
            row = row with { ReloadSeconds = reload.Elapsed.TotalSeconds };
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.EnumerateFiles(folder, $"bench-{size}.db*"))
        {
            File.Delete(file);
        }

        Directory.Delete(EmbeddedVectorStore.GraphFolder(path), recursive: true);

        return row;
    }

    public static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>A unit vector near a random one of <paramref name="centres"/> (cosine ≈ 0.5 to it).</summary>
    public static float[] Clustered(Random random, float[][] centres)
    {
        var centre = centres[random.Next(centres.Length)];
        return VectorMath.Normalized([.. centre.Zip(Gaussian(random, 1, centre.Length), (c, n) => c + n)], centre.Length);
    }

    // Box-Muller normals scaled to an expected norm of `norm`.
    public static float[] Gaussian(Random random, double norm, int dimension)
    {
        var v = new float[dimension];
        var scale = norm / Math.Sqrt(dimension);
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return v;
    }
}

/// <summary><c>vmnet bench store [--sizes 10000,50000,200000] [--queries 200] [--json]</c>.</summary>
public static class StoreBenchCommand
{
    public static Command Create()
    {
        var sizes = new Option<string>("--sizes") { Description = "Comma-separated catalogue sizes", DefaultValueFactory = _ => "10000,50000,200000" };
        var queries = new Option<int>("--queries") { Description = "Queries per size", DefaultValueFactory = _ => 200 };
        var connectivity = new Option<int?>("--connectivity") { Description = "USearch connectivity (default: VectorStore:Connectivity)" };
        var expansionAdd = new Option<int?>("--expansion-add") { Description = "USearch expansion on insert (default: VectorStore:ExpansionAdd)" };
        var expansionSearch = new Option<int?>("--expansion-search") { Description = "USearch expansion on search (default: VectorStore:ExpansionSearch)" };
        var baselineConnectivity = new Option<int>("--baseline-connectivity") { Description = "Connectivity of the baseline run (issue 17's starting point)", DefaultValueFactory = _ => 16 };
        var baselineExpansionAdd = new Option<int>("--baseline-expansion-add") { Description = "Expansion on insert of the baseline run (issue 17's starting point)", DefaultValueFactory = _ => 64 };
        var noBaseline = new Option<bool>("--no-baseline") { Description = "Skip the baseline run" };
        var distribution = new Option<string>("--distribution")
        {
            Description = "clustered (default: points around size/50 centres, like trained embeddings) or uniform (isotropic, the worst case)",
            DefaultValueFactory = _ => "clustered",
        };
        distribution.AcceptOnlyFromAmong("clustered", "uniform");
        var command = new Command("store", $"Embedded vector store: ANN vs exact recall@{StoreBench.K} and latency, insert rate, reload time, on random unit vectors of dimension {StoreBench.Dimension}.")
        {
            sizes, queries, connectivity, expansionAdd, expansionSearch, baselineConnectivity, baselineExpansionAdd, noBaseline, distribution,
        };
        command.SetAction(async (parse, ct) =>
        {
            var defaults = new VectorStoreOptions();
            var options = new VectorStoreOptions
            {
                Connectivity = parse.GetValue(connectivity) ?? defaults.Connectivity,
                ExpansionAdd = parse.GetValue(expansionAdd) ?? defaults.ExpansionAdd,
                ExpansionSearch = parse.GetValue(expansionSearch) ?? defaults.ExpansionSearch,
            };
            var baseline = new VectorStoreOptions
            {
                Connectivity = parse.GetValue(baselineConnectivity),
                ExpansionAdd = parse.GetValue(baselineExpansionAdd),
                ExpansionSearch = options.ExpansionSearch,
            };
            IReadOnlyList<VectorStoreOptions> settings = parse.GetValue(noBaseline) ? [options] : [baseline, options];
            var list = parse.GetValue(sizes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
            var asJson = parse.GetValue(CliOptions.Json);
            var folder = Path.Combine(Path.GetTempPath(), "vmnet-bench-store-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            var rows = new List<StoreBenchRow>();
            try
            {
                if (!asJson)
                {
                    Console.WriteLine($"{parse.GetValue(distribution)} unit vectors, dimension {StoreBench.Dimension}, {Environment.ProcessorCount} cores; ratios against the first settings of each size");
                    Console.WriteLine($"{"vectors",9} {"insert/s",10} {"ratio",6} {"cpu-bound/s",11} {"ratio",6} {"build s",8} {"ANN p50",9} {"ANN p99",9} {"exact p50",10} {"exact p99",10} {"speedup",8} {"recall@10",10} {"save s",7} {"reload s",9}  settings");
                }

                foreach (var size in list)
                {
                    StoreBenchRow? first = null;
                    foreach (var setting in settings)
                    {
                        var row = await StoreBench.RunAsync(size, parse.GetValue(queries), parse.GetValue(distribution) == "clustered", setting, folder, seed: 42, ct);
                        first ??= row;
                        row = row with
                        {
                            InsertRatioToBaseline = row.InsertsPerSecond / first.InsertsPerSecond,
                            CpuBoundInsertRatioToBaseline = row.CpuBoundInsertsPerSecond / first.CpuBoundInsertsPerSecond,
                        };
                        rows.Add(row);
                        if (!asJson)
                        {
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"{row.Vectors,9} {row.InsertsPerSecond,10:0} {row.InsertRatioToBaseline,6:0.00} {row.CpuBoundInsertsPerSecond,11:0} {row.CpuBoundInsertRatioToBaseline,6:0.00} {row.BuildSeconds,8:0.0} {row.AnnP50Ms,7:0.000}ms {row.AnnP99Ms,7:0.000}ms {row.ExactP50Ms,8:0.00}ms {row.ExactP99Ms,8:0.00}ms {row.SpeedupP50,7:0.0}x {row.RecallAt10,10:0.0000} {row.SaveSeconds,7:0.0} {row.ReloadSeconds,9:0.0}  {row.Settings}"));
                        }
                    }
                }
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }

            if (asJson)
            {
                CliJson.Print(rows);
            }

            return 0;
        });
        return command;
    }
}
