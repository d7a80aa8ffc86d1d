using System.Collections.Immutable;
using System.Diagnostics;
using VmNet.Contracts;
using VmNet.Corpus;
using VmNet.ServiceDefaults;
using VmNet.Commands;
using VmNet.AudioFeatures.Service;
using VmNet.Embedder;
using VmNet.Ingest;
using VmNet.Search;
using VmNet.VideoFeatures.Service;

namespace VmNet.Bench;

/// <summary>What to measure: generated pairs, how many, how long, how the distributed layout is scaled.</summary>
public sealed record PipelineBenchOptions
{
    /// <summary>Base folder: the corpus is kept under <c>bench/</c> for reuse, each run gets a fresh data dir.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Pairs ingested at once for the throughput figure.</summary>
    public int Pairs { get; init; } = 20;

    /// <summary>Pairs ingested one at a time, each waited for, for the idle latency figure.</summary>
    public int LatencySamples { get; init; } = 5;

    public double Seconds { get; init; } = 30;

    public int Seed { get; init; } = 11;

    /// <summary>RabbitMQ for the distributed layout; null runs only the embedded one.</summary>
    public bool Distributed { get; init; }

    public string? BrokerUri { get; init; }

    public int AudioWorkers { get; init; } = 1;

    public int VideoWorkers { get; init; } = 1;

    /// <summary>Keep each run's data dir (store, logs) instead of deleting it.</summary>
    public bool Keep { get; init; }

    public void Validate()
    {
        Require(Pairs is >= 1 and <= 10_000, $"pairs must be 1 to 10000 (got {Pairs})");
        Require(LatencySamples is >= 1 and <= 1_000, $"latency samples must be 1 to 1000 (got {LatencySamples})");
        Require(Seconds is > 0 and <= CorpusOptions.MaxSeconds, $"seconds must be above 0 and at most {CorpusOptions.MaxSeconds} (got {Seconds})");
        Require(AudioWorkers is >= 1 and <= 16, $"audio workers must be 1 to 16 (got {AudioWorkers})");
        Require(VideoWorkers is >= 1 and <= 16, $"video workers must be 1 to 16 (got {VideoWorkers})");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}

/// <summary>Latency percentiles in seconds over <see cref="Count"/> uploads (nearest rank).</summary>
public sealed record LatencyStats(int Count, double P50, double P95, double Max)
{
    public static LatencyStats Of(IReadOnlyCollection<TimeSpan> samples)
    {
        var sorted = samples.Select(s => s.TotalSeconds).Order().ToArray();
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencyStats(sorted.Length, Rank(0.50), Rank(0.95), sorted[^1]);
    }
}

/// <summary>One layout's figures: idle latency (one upload at a time) and a batch ingested at once.</summary>
public sealed record ModeResult(string Mode, string Layout, int Pairs, double Seconds, double ElapsedSeconds, double PairsPerHour, LatencyStats Idle, LatencyStats UnderLoad);

public sealed record PipelineBenchResult(int Pairs, double Seconds, int Cores, IReadOnlyList<ModeResult> Modes, string? DistributedSkipped)
{
    /// <summary>Distributed pairs/hour over embedded pairs/hour, when both ran.</summary>
    public double? ThroughputRatio =>
        Modes.FirstOrDefault(m => m.Mode == PipelineBench.Embedded) is { } e && Modes.FirstOrDefault(m => m.Mode == PipelineBench.Distributed) is { } d
            ? d.PairsPerHour / e.PairsPerHour
            : null;
}

public sealed class PipelineBenchException(string message) : Exception(message);

/// <summary>
/// Generates (or reuses) a corpus of music videos, then for each layout: starts the pipeline on a fresh data dir,
/// warms it up with one pair, publishes a random-weight model (embedding costs what a trained one costs) and waits
/// for it to go live, times uploads one at a time (ingest request → both halves searchable), then a batch at once.
/// </summary>
public sealed class PipelineBench(PipelineBenchOptions options, IProgress<string> progress)
{
    public const string Embedded = "embedded";
    public const string Distributed = "distributed";
    private const string ModelVersion = "bench-v1";

    /// <summary>The roles a pipeline needs to make an upload searchable (the trainer is not one of them).</summary>
    public static readonly IReadOnlyList<string> Roles = [IngestRole.Name, AudioFeaturesRole.Name, VideoFeaturesRole.Name, EmbedderRole.Name, SearchRole.Name];

    private TimeSpan WaitLimit => TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(options.Pairs * options.Seconds);

    public async Task<PipelineBenchResult> RunAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        var corpus = await GenerateCorpusAsync(cancellationToken);
        var files = corpus.OfKind(CorpusItemKind.Pair).Select(corpus.PathOf).ToList();
        var warmUp = files[0];
        var idle = files.Skip(1).Take(options.LatencySamples).ToList();
        var batch = files.Skip(1 + options.LatencySamples).ToList();

        var runRoot = Path.Combine(options.DataDirectory, "bench", $"pipeline-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        var modes = new List<ModeResult>();
        modes.Add(await RunModeAsync(Embedded, runRoot, async d => await EmbeddedSystem.StartAsync(d, corpus.Directory, cancellationToken), warmUp, idle, batch, cancellationToken));
        string? skipped = "no RabbitMQ given (--transport rabbitmq / --rabbitmq URI)";
        if (options.Distributed)
        {
            skipped = null;
            modes.Add(await RunModeAsync(
                Distributed,
                runRoot,
                async d => await DistributedSystem.StartAsync(options.BrokerUri, d, corpus.Directory, options.AudioWorkers, options.VideoWorkers, cancellationToken),
                warmUp,
                idle,
                batch,
                cancellationToken));
        }

        if (!options.Keep)
        {
            Directory.Delete(runRoot, recursive: true);
        }

        return new PipelineBenchResult(batch.Count, options.Seconds, Environment.ProcessorCount, modes, skipped);
    }

    private async Task<CorpusManifest> GenerateCorpusAsync(CancellationToken cancellationToken)
    {
        var total = 1 + options.LatencySamples + options.Pairs;
        var folder = Path.Combine(options.DataDirectory, "bench", $"corpus-{options.Seconds:0.##}s-seed{options.Seed}");
        progress.Report($"corpus: {total} pairs of {options.Seconds:0.##} s in {folder}");
        var last = -1;
        var report = new Progress<CorpusProgress>(p =>
        {
            var step = p.Done * 10 / Math.Max(1, p.Total);
            if (step != last)
            {
                last = step;
                progress.Report($"corpus: {p.Done}/{p.Total} ready ({p.Rendered} rendered)");
            }
        });
        var options1 = new CorpusOptions { OutputDirectory = folder, Pairs = total, Seconds = options.Seconds, Seed = options.Seed };
        return await CorpusGenerator.GenerateAsync(options1, report, cancellationToken);
    }

    private async Task<ModeResult> RunModeAsync(
        string mode,
        string runRoot,
        Func<string, Task<IBenchSystem>> start,
        string warmUp,
        IReadOnlyList<string> idle,
        IReadOnlyList<string> batch,
        CancellationToken cancellationToken)
    {
        var dataDir = Path.Combine(runRoot, mode);
        Directory.CreateDirectory(dataDir);
        progress.Report($"{mode}: starting");
        await using var system = await start(dataDir);
        progress.Report($"{mode}: {system.Layout}");
        try
        {
            // Warm-up: one pair through (loads the CNN, JIT), its feature sizes give the model's input sizes.
            var first = await IngestAsync(system, warmUp, cancellationToken);
            var audio = await system.Events.WaitAsync<AudioFeaturesExtracted>(a => a.MediaId == first.MediaId, WaitLimit, cancellationToken);
            var video = await system.Events.WaitAsync<VideoFeaturesExtracted>(v => v.MediaId == first.MediaId, WaitLimit, cancellationToken);
            var location = RandomModel.Write(dataDir, ModelVersion, audio.Vector.Length, video.Vector.Length, options.Seed);
            await system.Bus.Publish(new ModelPublished(ModelVersion, Guid.NewGuid(), location, ImmutableDictionary<string, double>.Empty, DateTimeOffset.UtcNow), cancellationToken);
            var answer = await system.Events.WaitAsync(
                m => m is ModelActivated { ModelVersion: ModelVersion } or ModelActivationFailed { ModelVersion: ModelVersion },
                WaitLimit,
                cancellationToken);
            if (answer is ModelActivationFailed failed)
            {
                throw new PipelineBenchException($"{mode}: the bench model was not activated: {failed.Reason}");
            }

            progress.Report($"{mode}: warm, model live; {idle.Count} uploads one at a time");
            var idleLatencies = new List<TimeSpan>();
            foreach (var file in idle)
            {
                idleLatencies.Add(await UploadAsync(system, file, cancellationToken));
            }

            progress.Report($"{mode}: {batch.Count} uploads at once");
            var clock = Stopwatch.StartNew();
            var done = 0;
            var loaded = await Task.WhenAll(batch.Select(async file =>
            {
                var latency = await UploadAsync(system, file, cancellationToken);
                var n = Interlocked.Increment(ref done);
                if (n % Math.Max(1, batch.Count / 10) == 0 || n == batch.Count)
                {
                    progress.Report($"{mode}: {n}/{batch.Count} searchable after {clock.Elapsed.TotalSeconds:0} s");
                }

                return latency;
            }));
            var elapsed = clock.Elapsed.TotalSeconds;
            return new ModeResult(
                mode, system.Layout, batch.Count, options.Seconds, elapsed, batch.Count / elapsed * 3600, LatencyStats.Of(idleLatencies), LatencyStats.Of(loaded));
        }
        catch (Exception e) when (e is TimeoutException or PipelineBenchException && system is DistributedSystem distributed)
        {
            throw new PipelineBenchException($"{e.Message}; worker logs: {string.Join(", ", distributed.Workers.Select(w => w.LogPath))}");
        }
    }

    /// <summary>Ingest request published → both halves searchable under the bench model.</summary>
    private async Task<TimeSpan> UploadAsync(IBenchSystem system, string file, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var item = await IngestAsync(system, file, cancellationToken);
        if (await system.Events.WaitEmbeddedAsync(item.MediaId, ModelVersion, music: true, video: true, WaitLimit, cancellationToken) is { } failed)
        {
            throw new PipelineBenchException($"{Path.GetFileName(file)}: {failed.Modality} features failed: {failed.Reason}");
        }

        return clock.Elapsed;
    }

    private async Task<MediaIngested> IngestAsync(IBenchSystem system, string file, CancellationToken cancellationToken)
    {
        var request = new IngestRequested(Guid.NewGuid(), file, MediaKind.Pair, DateTimeOffset.UtcNow);
        await system.Bus.Publish(request, cancellationToken);
        return await system.Events.WaitIngestAnswerAsync(request.CorrelationId, WaitLimit, cancellationToken) switch
        {
            MediaIngested ingested => ingested,
            IngestFailed failed => throw new PipelineBenchException($"{Path.GetFileName(file)}: ingest failed: {failed.Reason}"),
            var other => throw new PipelineBenchException($"{Path.GetFileName(file)}: ingest faulted: {other}"),
        };
    }
}
