using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Catalogue;
using VmNet.Commands;
using VmNet.Contracts;
using VmNet.Corpus;
using VmNet.Hosting;
using VmNet.Media;
using VmNet.Search.Client;
using VmNet.Search.Grpc;
using VmNet.Training;

namespace VmNet.Demo;

/// <summary>
/// The main job end to end in one process: corpus → ingest through the bus → stored features → both losses
/// trained on one split and seed → the combined model published on the bus and hot-swapped → Recall@K on the
/// held-out pairs → soundtracks for new video-only uploads → example gRPC queries → report.
/// </summary>
public sealed class DemoRunner(DemoOptions options, IDemoProgress progress)
{
    /// <summary>An ingested catalogue item and, when something failed, why.</summary>
    private sealed record Processed(DemoItem Item, MediaIngested? Ingested, string? Failure);

    /// <summary>The live generation's vectors of the test pairs, row-major.</summary>
    public sealed record TestEmbeddings(IReadOnlyList<string> MediaIds, float[] Music, float[] Video, int Dim);

    public async Task<DemoResult> RunAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        var data = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(data);
        var stages = Stopwatch.StartNew();

        var corpus = options.CorpusDirectory is null
            ? await GenerateAsync(cancellationToken)
            : DemoCorpus.FromFolder(options.CorpusDirectory);
        var generate = Lap(stages);
        progress.Line(corpus.Generated
            ? $"corpus: {corpus.Catalogue.Count(i => i.Kind == MediaKind.Pair)} pairs, {corpus.Catalogue.Count(i => i.Kind == MediaKind.Music)} music-only, {corpus.Uploads.Count} uploads in {corpus.Directory} ({generate:0.0} s)"
            : $"corpus: {corpus.Catalogue.Count} video files in {corpus.Directory}");

        await using var app = VmNetHost.Build([], HostConfiguration(data, corpus.Directory), b => b.AddPipelineEvents());
        await app.StartAsync(cancellationToken);
        try
        {
            return await RunStagesAsync(app, data, corpus, generate, stages, cancellationToken);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    private async Task<DemoResult> RunStagesAsync(
        WebApplication app, string data, DemoCorpus corpus, double generate, Stopwatch stages, CancellationToken ct)
    {
        var services = app.Services;
        stages.Restart();
        var (processed, ingest, features) = await IngestAsync(services, corpus.Catalogue, ct);
        stages.Restart();
        var failed = processed.Where(p => p.Failure is not null).ToList();
        foreach (var f in failed.Take(5))
        {
            progress.Line($"  skipped {f.Item.Name}: {f.Failure}");
        }

        var split = await SplitAsync(services.GetRequiredService<IFeatureCatalogue>(), processed, ct);
        progress.Line($"split by media id: {split.Train.Count} train, {split.Validation.Count} validation, {split.Test.Count} test pairs");

        var training = TrainingOptions(app.Configuration);
        var (combined, interOnly, moreCombined, moreInterOnly) = await TrainBothAsync(split, training, ct);
        var train = Lap(stages);
        using var combinedModel = combined.Model;
        using var interOnlyModel = interOnly.Model;

        var registry = services.GetRequiredService<ModelRegistry>();
        var version = await PublishAndActivateAsync(services, registry, split, combined, training, interOnly, ct);
        var embed = Lap(stages);

        var embeddings = await TestEmbeddingsAsync(services.GetRequiredService<IVectorStore>(), version, split.Test, ct);
        var combinedTest = RecallAtK.Evaluate(embeddings.Music, embeddings.Video, embeddings.Dim);
        // Fitted on the training pairs only, like the networks, and scored on the same held-out pairs.
        var cca = CcaBaseline.Fit(split.Train);
        var ccaTest = cca.Evaluate(split.Test);
        progress.Line($"CCA baseline: {cca.Dim} components of {cca.MusicPcaDims}/{cca.VideoPcaDims} PCA dims, test R@10 v→m {ccaTest.VideoToMusic.At(10):0.00} m→v {ccaTest.MusicToVideo.At(10):0.00}");
        var eval = Lap(stages);

        var byId = processed.Where(p => p.Ingested is not null).GroupBy(p => p.Ingested!.MediaId).ToDictionary(g => g.Key, g => g.First().Item);
        var uploads = await UploadsAsync(services, corpus.Uploads, version, byId, ct);
        var uploadSeconds = Lap(stages);
        var queries = await QueriesAsync(services, split.Test.MediaIds.Take(options.Queries).ToList(), byId, version, ct);
        var querySeconds = Lap(stages);

        var result = new DemoResult(
            data, corpus.Directory, corpus.Generated, options.Seed, options.Seeds, split.Train.Count + split.Validation.Count + split.Test.Count,
            split.Train.Count, split.Validation.Count, split.Test.Count, failed.Count,
            new ModelFigures("combined", version, combinedTest, combined.History, combined.BestEpoch, RecallSpread.Of([combinedTest, .. moreCombined])),
            new ModelFigures("inter-only", null, interOnly.Test!, interOnly.History, interOnly.BestEpoch, RecallSpread.Of([interOnly.Test!, .. moreInterOnly])),
            Chance(split.Test.Count),
            new CcaFigures(ccaTest, cca.Dim, cca.MusicPcaDims, cca.VideoPcaDims, cca.Options.Regularisation),
            new SplitIds(split.Train.MediaIds, split.Validation.MediaIds, split.Test.MediaIds),
            new StageTimes(generate, ingest, features, train, embed, eval, uploadSeconds, querySeconds, 0),
            uploads, queries, Path.Combine(data, "report", DemoReport.PageName));
        DemoReport.Write(result, embeddings, id => byId.GetValueOrDefault(id));
        result = result with { Stages = result.Stages with { Report = Lap(stages) } };
        DemoReport.WriteResults(result);
        return result;
    }

    private async Task<DemoCorpus> GenerateAsync(CancellationToken ct)
    {
        var counter = new ProgressCounter("corpus", 1);
        var work = DemoCorpus.GenerateAsync(options, new InlineProgress<CorpusProgress>(p =>
        {
            counter.Total = p.Total;
            counter.Set(p.Done);
        }), ct);
        return await progress.TrackAsync([counter], work);
    }

    private Dictionary<string, string?> HostConfiguration(string data, string corpusDirectory)
    {
        // Quiet logs on stderr, so stdout carries only the demo's own lines (or its JSON).
        var config = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Logging:LogLevel:MassTransit"] = "Warning",
            ["Logging:Console:LogToStandardErrorThreshold"] = "Trace",
            // A free port: a `vmnet serve` on the default port must not stop the demo.
            ["Search:GrpcUrl"] = "http://127.0.0.1:0",
            ["Search:HttpUrl"] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in options.Overrides)
        {
            config[key] = value;
        }

        // The demo is the embedded default: one process, in-memory bus, the corpus as the one media root.
        config["Storage:DataDir"] = data;
        config["Bus:Transport"] = "InMemory";
        config["Ingest:MediaRoots:0"] = corpusDirectory;
        config["Trainer:EveryNewPairs"] = "0";
        config["Trainer:EveryHours"] = "0";
        return config;
    }

    private async Task<(List<Processed> Items, double Ingest, double Features)> IngestAsync(
        IServiceProvider services, IReadOnlyList<DemoItem> items, CancellationToken ct)
    {
        var bus = services.GetRequiredService<IBus>();
        var ingestCounter = new ProgressCounter("ingest", items.Count);
        var featureCounter = new ProgressCounter("features", items.Count);
        var clock = Stopwatch.StartNew();
        long ingestDoneTicks = 0;
        var requests = items.Select(i => (Item: i, Request: new IngestRequested(Guid.NewGuid(), i.Path, i.Kind, DateTimeOffset.UtcNow, ExternalId(i), Labels(i)))).ToList();
        foreach (var (_, request) in requests)
        {
            await bus.Publish(request, ct);
        }

        async Task<Processed> OneAsync(DemoItem item, IngestRequested request)
        {
            var (ingested, failure) = await WaitIngestedAsync(services.GetRequiredService<PipelineEvents>(), request, ct);
            ingestCounter.Increment();
            InterlockedMax(ref ingestDoneTicks, clock.Elapsed.Ticks);
            if (ingested is not null)
            {
                try
                {
                    failure = await services.WaitProcessedAsync(ingested, options.ItemTimeout, ct);
                }
                catch (TimeoutException e)
                {
                    failure = e.Message;
                }
            }

            featureCounter.Increment();
            return new Processed(item, ingested, failure);
        }

        var all = Task.WhenAll(requests.Select(r => OneAsync(r.Item, r.Request)));
        var processed = await progress.TrackAsync([ingestCounter, featureCounter], all);
        var ingestSeconds = TimeSpan.FromTicks(Interlocked.Read(ref ingestDoneTicks)).TotalSeconds;
        var total = clock.Elapsed.TotalSeconds;
        var ok = processed.Count(p => p.Failure is null);
        progress.Line($"ingest: {ok}/{items.Count} items ingested with features stored ({ingestSeconds:0.0} s to split all, {total:0.0} s to features)");
        return ([.. processed], ingestSeconds, total - ingestSeconds);
    }

    private async Task<(MediaIngested? Ingested, string? Failure)> WaitIngestedAsync(PipelineEvents events, IngestRequested request, CancellationToken ct)
    {
        try
        {
            var answer = await events.WaitIngestAnswerAsync(request.CorrelationId, options.ItemTimeout, ct);
            return answer switch
            {
                MediaIngested i => (i, null),
                IngestFailed f => (null, "ingest refused it: " + f.Reason),
                Fault<IngestRequested> f => (null, "ingest crashed: " + string.Join("; ", f.Exceptions.Select(e => e.Message))),
                _ => (null, "unexpected answer"),
            };
        }
        catch (TimeoutException)
        {
            return (null, $"not ingested within {options.ItemTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>
    /// The pairs of this run (not whatever else the data dir's catalogue holds), split by media id: ordered by the
    /// id's hash (<see cref="PairSplit.Unit"/>), the first share is test, the next validation. Exact shares rather
    /// than the trainer's per-item thresholds, so small corpora still get the test pairs they ask for.
    /// </summary>
    private async Task<PairCorpus> SplitAsync(IFeatureCatalogue catalogue, List<Processed> processed, CancellationToken ct)
    {
        var pairs = new List<FeaturePair>();
        var videoVersions = new List<string>();
        foreach (var id in processed.Where(p => p.Failure is null && p.Ingested!.Kind == MediaKind.Pair).Select(p => p.Ingested!.MediaId).Distinct())
        {
            if (await catalogue.GetAsync(id, ct) is { MusicFeatures: { Length: > 0 } music, VideoFeatures: { Length: > 0 } video } item)
            {
                pairs.Add(new FeaturePair(id, music, video));
                videoVersions.Add(item.VideoExtractorVersion ?? string.Empty);
            }
        }

        return PairCorpus.BuildWithExactShares(pairs, options.ValidationFraction, options.TestFraction, videoVersions.GroupBy(v => v).MaxBy(g => g.Count())?.Key);
    }

    private TrainingOptions TrainingOptions(IConfiguration configuration)
    {
        var configured = configuration.GetSection("Trainer:Training").Get<TrainingOptions>() ?? new TrainingOptions();
        return configured with
        {
            MaxEpochs = options.Epochs,
            Seed = options.Seed,
            BatchSize = options.BatchSize,
            Patience = options.Patience,
            ValidationFraction = options.ValidationFraction,
            TestFraction = options.TestFraction,
        };
    }

    /// <summary>
    /// Both losses for each seed (<see cref="DemoOptions.Seed"/>, Seed + 1, ...). The first seed's models are returned
    /// whole (the combined one goes live); the later seeds only contribute their test figures and are disposed.
    /// </summary>
    private async Task<(TrainingResult Combined, TrainingResult InterOnly, List<RecallReport> MoreCombined, List<RecallReport> MoreInterOnly)> TrainBothAsync(
        PairCorpus split, TrainingOptions training, CancellationToken ct)
    {
        var seeds = options.Seeds;
        var combinedCounter = new ProgressCounter("train combined", training.MaxEpochs * seeds);
        var interCounter = new ProgressCounter("train inter-only", training.MaxEpochs * seeds);
        TrainingResult Run(LossMode mode, int seed, ProgressCounter counter)
        {
            var before = counter.Done;
            var result = TrainingRun.Train(split, training with { LossMode = mode, Seed = training.Seed + seed }, new InlineProgress<EpochReport>(e =>
            {
                counter.Set(before + e.Epoch);
                counter.Detail = string.Create(CultureInfo.InvariantCulture, $"(seed {seed + 1}/{seeds}, loss {e.Loss:0.000}, val R@10 {e.ValidationRecallAt10:0.00})");
            }), ct);
            if (seed == seeds - 1)
            {
                counter.Total = counter.Done;
            }

            return result;
        }

        // One after the other: torch's seed and thread count are process-wide.
        var work = Task.Run(() =>
        {
            var (combined, interOnly) = (Run(LossMode.Combined, 0, combinedCounter), Run(LossMode.InterOnly, 0, interCounter));
            var (moreCombined, moreInterOnly) = (new List<RecallReport>(), new List<RecallReport>());
            for (var seed = 1; seed < seeds; seed++)
            {
                foreach (var (mode, counter, into) in new[] { (LossMode.Combined, combinedCounter, moreCombined), (LossMode.InterOnly, interCounter, moreInterOnly) })
                {
                    var extra = Run(mode, seed, counter);
                    using var model = extra.Model;
                    into.Add(extra.Test!);
                }
            }

            return (combined, interOnly, moreCombined, moreInterOnly);
        }, ct);
        var trained = await progress.TrackAsync([combinedCounter, interCounter], work);
        progress.Line($"trained: combined best epoch {trained.combined.BestEpoch}/{trained.combined.History.Count}, inter-only best epoch {trained.interOnly.BestEpoch}/{trained.interOnly.History.Count}"
            + (seeds > 1 ? $" (seed {training.Seed}; {seeds} seeds each)" : string.Empty));
        return trained;
    }

    /// <summary>Exports both models; publishes the combined one on the bus and waits until the embedder has swapped it in.</summary>
    private async Task<string> PublishAndActivateAsync(
        IServiceProvider services, ModelRegistry registry, PairCorpus split, TrainingResult combined, TrainingOptions training,
        TrainingResult interOnly, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var version = ModelFolder.NewVersion(registry, now, split.Snapshot);
        var manifest = ModelFolder.Save(registry, version, combined, split, training with { LossMode = LossMode.Combined }, now);
        // The ablation is kept for inspection, never published.
        var ablation = ModelFolder.NewVersion(registry, now, split.Snapshot);
        ModelFolder.Save(registry, ablation, interOnly, split, training with { LossMode = LossMode.InterOnly }, now);
        var folder = registry.FolderOf(version);
        ModelFolder.MarkPublished(folder, now);

        var events = services.GetRequiredService<PipelineEvents>();
        try
        {
            var counter = new ProgressCounter("hot swap", 1) { Detail = version };
            await services.GetRequiredService<IBus>().Publish(
                new ModelPublished(version, Guid.NewGuid(), DataDirectory.ToUri(folder), manifest.Metrics.ToImmutableDictionary(), DateTimeOffset.UtcNow), ct);
            var outcome = await progress.TrackAsync([counter], events.WaitActivationAsync(version, options.ItemTimeout, ct));
            return outcome switch
            {
                ModelActivated activated => Activated(activated),
                ModelActivationFailed failed => throw new DemoException($"model {version} could not be activated: {failed.Reason}"),
                _ => throw new DemoException("unexpected activation answer"),
            };
        }
        catch (TimeoutException)
        {
            throw new DemoException($"model {version} was published but not activated within {options.ItemTimeout.TotalSeconds:0} s");
        }

        string Activated(ModelActivated activated)
        {
            progress.Line($"model {version} published and live: {activated.ItemsEmbedded} items re-embedded (previous: {activated.PreviousVersion ?? "none"}); ablation kept as {ablation}");
            return version;
        }
    }

    /// <summary>The test pairs' vectors as the store serves them: the figures are those of the deployed model, not of torch.</summary>
    private static async Task<TestEmbeddings> TestEmbeddingsAsync(IVectorStore store, string version, PairSet test, CancellationToken ct)
    {
        var music = new List<float[]>();
        var video = new List<float[]>();
        foreach (var id in test.MediaIds)
        {
            music.Add(await store.GetVectorAsync(version, Modality.Music, id, ct) ?? throw new DemoException($"{id} has no music vector in generation {version}"));
            video.Add(await store.GetVectorAsync(version, Modality.Video, id, ct) ?? throw new DemoException($"{id} has no video vector in generation {version}"));
        }

        var dim = music[0].Length;
        return new TestEmbeddings(test.MediaIds, [.. music.SelectMany(v => v)], [.. video.SelectMany(v => v)], dim);
    }

    private async Task<List<UploadSuggestion>> UploadsAsync(
        IServiceProvider services, IReadOnlyList<DemoItem> uploads, string version, Dictionary<string, DemoItem> byId, CancellationToken ct)
    {
        var result = new List<UploadSuggestion>();
        if (uploads.Count == 0)
        {
            return result;
        }

        var bus = services.GetRequiredService<IBus>();
        var events = services.GetRequiredService<PipelineEvents>();
        var counter = new ProgressCounter("uploads", uploads.Count);
        async Task<UploadSuggestion?> OneAsync(DemoItem upload)
        {
            var request = new IngestRequested(Guid.NewGuid(), upload.Path, MediaKind.Video, DateTimeOffset.UtcNow, ExternalId(upload), Labels(upload));
            await bus.Publish(request, ct);
            var (ingested, failure) = await WaitIngestedAsync(events, request, ct);
            SoundtrackSuggested? suggested = null;
            if (ingested is not null)
            {
                try
                {
                    suggested = await events.WaitAsync<SoundtrackSuggested>(s => s.MediaId == ingested.MediaId && s.ModelVersion == version, options.ItemTimeout, ct);
                }
                catch (TimeoutException)
                {
                    failure = $"no soundtrack suggestion within {options.ItemTimeout.TotalSeconds:0} s";
                }
            }

            counter.Increment();
            if (suggested is null)
            {
                progress.Line($"  upload {upload.Name}: {failure}");
                return null;
            }

            return new UploadSuggestion(upload.Name, suggested.MediaId, upload.Style, suggested.ModelVersion,
                [.. suggested.Tracks.Select(t => Entry(t.MediaId, t.Score, byId, t.Metadata))]);
        }

        var all = Task.WhenAll(uploads.Select(OneAsync));
        foreach (var suggestion in await progress.TrackAsync([counter], all))
        {
            if (suggestion is not null)
            {
                result.Add(suggestion);
                var top = string.Join(", ", suggestion.Tracks.Take(3).Select(t => $"{t.Name} ({t.Style ?? "?"}, {t.Score:0.00})"));
                progress.Line($"upload {suggestion.File} ({suggestion.Style ?? "?"}) → {top}");
            }
        }

        return result;
    }

    /// <summary>Example queries through the typed gRPC client against this process's search server.</summary>
    private async Task<List<QueryExample>> QueriesAsync(
        IServiceProvider services, IReadOnlyList<string> ids, Dictionary<string, DemoItem> byId, string version, CancellationToken ct)
    {
        var examples = new List<QueryExample>();
        if (ids.Count == 0)
        {
            return examples;
        }

        var address = services.GetRequiredService<SearchEndpoints>().GrpcAddress
            ?? throw new DemoException("the search gRPC endpoint is not bound");
        using var client = new SearchClient(address);
        var info = await client.GetModelInfoAsync(ct);
        if (info.LiveVersion != version)
        {
            throw new DemoException($"search serves model '{info.LiveVersion}', expected {version}");
        }

        var top = new VmNet.Search.V1.QueryOptions { TopK = 10 };
        foreach (var id in ids)
        {
            var item = byId.GetValueOrDefault(id);
            var music = await client.FindMusicForVideoIdAsync(id, top, ct);
            var videos = await client.FindVideosForMusicIdAsync(id, top, ct);
            foreach (var (direction, reply) in new[] { ("video→music", music), ("music→video", videos) })
            {
                var matches = reply.Matches.Select(m => Entry(m.MediaId, m.Score, byId, About(m))).ToList();
                var rank = matches.FindIndex(m => m.MediaId == id);
                var example = new QueryExample(direction, item?.Name ?? id, id, item?.Style, reply.ModelVersion, rank < 0 ? null : rank + 1, matches);
                examples.Add(example);
                progress.Line($"gRPC {direction} for {example.File} ({example.Style ?? "?"}): own partner {(rank < 0 ? "not in top 10" : "#" + (rank + 1))}; top: "
                    + string.Join(", ", matches.Take(3).Select(m => $"{m.Name} ({m.Style ?? "?"})")));
            }
        }

        return examples;
    }

    private static SuggestionEntry Entry(string mediaId, float score, Dictionary<string, DemoItem> byId, MediaMetadata? about)
    {
        var item = byId.GetValueOrDefault(mediaId);
        return new SuggestionEntry(mediaId, item?.Name, item?.Style, score, about?.Title, about?.Artist, about?.ExternalId, about?.Labels);
    }

    private static MediaMetadata About(VmNet.Search.V1.Match m) => new(
        NullIfEmpty(m.Source), NullIfEmpty(m.Title), NullIfEmpty(m.Artist), NullIfEmpty(m.Album), NullIfEmpty(m.ExternalId),
        m.Labels.Count == 0 ? null : m.Labels.ToImmutableDictionary());

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    // The demo is a platform too: it names each item by its file (its own id) and labels it with the style it rendered.
    private static string? ExternalId(DemoItem item) =>
        MediaLabels.ExternalIdError("demo/" + item.Name) is null ? "demo/" + item.Name : null;

    private static ImmutableDictionary<string, string>? Labels(DemoItem item) =>
        item.Style is { } style && MediaLabels.LabelsError(new Dictionary<string, string> { ["style"] = style }) is null
            ? ImmutableDictionary<string, string>.Empty.Add("style", style)
            : null;

    /// <summary>What a random ranking scores on <paramref name="n"/> pairs (<see cref="RecallAtK.Chance"/>).</summary>
    public static RecallReport Chance(int n) => RecallAtK.Chance(n);

    private static double Lap(Stopwatch watch)
    {
        var seconds = Math.Round(watch.Elapsed.TotalSeconds, 2);
        watch.Restart();
        return seconds;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

/// <summary>The demo cannot go on; the message says why.</summary>
public sealed class DemoException(string message) : Exception(message);
