using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.ServiceDefaults;
using VmNet.Training;
using VmNet.Storage;
using VmNet.Commands;
using VmNet.Trainer;
using VmNet.Hosting;
using VmNet.Onnx;

namespace VmNet.Cli;

/// <summary><c>vmnet train</c>, <c>vmnet eval</c> and <c>vmnet bench train</c>.</summary>
public static class TrainCommands
{
    private static Option<int?> Epochs() => new("--epochs") { Description = "Maximum epochs (default: Trainer:Training:MaxEpochs, 60)" };

    private static Option<int?> Seed() => new("--seed") { Description = "Random seed (default 42)" };

    private static Option<bool> JsonOption() => new("--json") { Description = "Print the result as JSON" };

    public static Command Train()
    {
        var request = new Option<bool>("--request") { Description = "Publish RetrainRequested on the bus instead of training in this process" };
        var wait = new Option<bool>("--wait") { Description = "With --request: wait for ModelPublished or ModelRejected" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait with --wait", DefaultValueFactory = _ => 3600 };
        var loss = new Option<string>("--loss") { Description = "combined (paper) or inter-only (ablation)", DefaultValueFactory = _ => "combined" };
        loss.AcceptOnlyFromAmong("combined", "inter-only");
        var epochs = Epochs();
        var seed = Seed();
        var command = new Command("train", "Train VM-NET on the catalogue's pairs, export the branches and publish the model if it passes the gate.")
        {
            request, wait, timeout, loss, epochs, seed,
        };
        command.SetAction(async (parse, ct) =>
        {
            var context = CommandContext.From(parse);
            if (parse.GetValue(request))
            {
                return await RequestAsync(context, parse.GetValue(wait), TimeSpan.FromSeconds(parse.GetValue(timeout)), ct);
            }

            var (settings, data) = Load(context);
            var options = With(settings.Training, parse.GetValue(epochs), parse.GetValue(seed)) with
            {
                LossMode = parse.GetValue(loss) == "inter-only" ? LossMode.InterOnly : LossMode.Combined,
            };
            var catalogue = VectorStoreRegistration.OpenCatalogue(context.Configuration, data);
            var registry = new ModelRegistry(data);
            var outcome = await WithProgressAsync(options.MaxEpochs, progress =>
                TrainingPipeline.RunAsync(catalogue, registry, options, settings.Tolerance, progress, ct));
            if (parse.GetValue(CliOptions.Json))
            {
                Console.WriteLine(new JsonObject
                {
                    ["model"] = outcome.Manifest.Version,
                    ["published"] = outcome.Decision.Publish,
                    ["reason"] = outcome.Decision.Reason,
                    ["location"] = new Uri(outcome.Folder).AbsoluteUri,
                    ["metrics"] = JsonSerializer.SerializeToNode(outcome.Manifest.Metrics, CliJson.Options),
                }.ToJsonString(CliJson.Options));
            }
            else
            {
                Console.WriteLine($"model {outcome.Manifest.Version} in {outcome.Folder}: {(outcome.Decision.Publish ? "published" : "kept, not published")} ({outcome.Decision.Reason})");
                PrintRecall("validation", outcome.Validation);
                if (outcome.Test is not null)
                {
                    PrintRecall("test", outcome.Test);
                }
            }

            return 0;
        });
        return command;
    }

    public static Command Eval()
    {
        var ablation = new Option<bool>("--ablation") { Description = "Train inter-modal only and combined on the same split and seed; print both beside the CCA baseline and chance" };
        var seeds = new Option<int>("--seeds") { Description = "Like --ablation, over N seeds (--seed, --seed+1, ...): mean and sd of every figure", DefaultValueFactory = _ => 1 };
        var model = new Option<string?>("--model") { Description = "Model version to evaluate (default: the live, i.e. last published, model)" };
        var epochs = Epochs();
        var seed = Seed();
        var command = new Command("eval", "Recall@K (1, 10, 25, 50, 100) and median rank, both directions, on the held-out test split.")
        {
            ablation, seeds, model, epochs, seed,
        };
        command.SetAction(async (parse, ct) =>
        {
            var context = CommandContext.From(parse);
            var (settings, data) = Load(context);
            var options = With(settings.Training, parse.GetValue(epochs), parse.GetValue(seed));
            var runs = parse.GetValue(seeds);
            if (runs < 1)
            {
                throw new UsageException($"--seeds must be at least 1 (got {runs})");
            }

            var corpus = await PairCorpus.LoadAsync(VectorStoreRegistration.OpenCatalogue(context.Configuration, data), options.ValidationFraction, options.TestFraction, ct);
            if (corpus.Test.Count < 2)
            {
                throw new InvalidOperationException($"the test split has {corpus.Test.Count} pairs: too few to evaluate");
            }

            return parse.GetValue(ablation) || runs > 1
                ? await AblationAsync(corpus, options, runs, parse.GetValue(CliOptions.Json), ct)
                : EvaluateModel(new ModelRegistry(data), parse.GetValue(model), corpus, parse.GetValue(CliOptions.Json));
        });
        return command;
    }

    private static int EvaluateModel(ModelRegistry registry, string? version, PairCorpus corpus, bool json)
    {
        var manifest = version is null ? ModelFolder.Live(registry) : registry.Find(version);
        if (manifest is null)
        {
            throw new InvalidOperationException(version is null ? "no published model yet: run `vmnet train` first" : $"no model '{version}' under {registry.Root}");
        }

        using var branches = OnnxEmbeddingModel.Load(registry.FolderOf(manifest.Version));
        var report = branches.Evaluate(corpus.Test);
        if (report is null)
        {
            throw new InvalidOperationException($"model {manifest.Version} takes {manifest.MusicInputDim}/{manifest.VideoInputDim} features; the catalogue has {corpus.MusicDim}/{corpus.VideoDim}");
        }

        var cca = CcaBaseline.Fit(corpus.Train);
        var ccaTest = cca.Evaluate(corpus.Test);
        var chance = RecallAtK.Chance(corpus.Test.Count);
        if (json)
        {
            var result = RecallJson(manifest.Version, corpus.Test.Count, report);
            result["cca"] = CcaJson(cca, Directions(ccaTest));
            result["chance"] = Directions(chance);
            Console.WriteLine(result.ToJsonString(CliJson.Options));
        }
        else
        {
            Console.WriteLine($"model {manifest.Version}, {corpus.Test.Count} test pairs");
            PrintRecall("test", report);
            PrintRecall("CCA", ccaTest);
            PrintRecall("chance", chance);
        }

        return 0;
    }

    private static async Task<int> AblationAsync(PairCorpus corpus, TrainingOptions options, int seeds, bool json, CancellationToken ct)
    {
        var reports = new Dictionary<LossMode, List<RecallReport>> { [LossMode.InterOnly] = [], [LossMode.Combined] = [] };
        for (var s = 0; s < seeds; s++)
        {
            foreach (var mode in new[] { LossMode.InterOnly, LossMode.Combined })
            {
                var run = options with { LossMode = mode, Seed = options.Seed + s };
                var result = await WithProgressAsync(run.MaxEpochs, progress => Task.Run(() => TrainingRun.Train(corpus, run, progress, ct), ct));
                using var model = result.Model;
                reports[mode].Add(result.Test!);
            }
        }

        var cca = CcaBaseline.Fit(corpus.Train);
        var rows = new (string Name, RecallSpread Spread)[]
        {
            ("inter-only", RecallSpread.Of(reports[LossMode.InterOnly])),
            ("combined", RecallSpread.Of(reports[LossMode.Combined])),
            ("CCA", RecallSpread.Of([cca.Evaluate(corpus.Test)])),
            ("chance", RecallSpread.Of([RecallAtK.Chance(corpus.Test.Count)])),
        };
        if (json)
        {
            JsonObject Row(RecallSpread spread)
            {
                var row = spread.ToJson();
                row["testPairs"] = corpus.Test.Count;
                return row;
            }

            Console.WriteLine(new JsonObject
            {
                ["seed"] = options.Seed,
                ["seeds"] = seeds,
                ["testPairs"] = corpus.Test.Count,
                ["interOnly"] = Row(rows[0].Spread),
                ["combined"] = Row(rows[1].Spread),
                ["cca"] = CcaJson(cca, Row(rows[2].Spread)),
                ["chance"] = Row(rows[3].Spread),
            }.ToJsonString(CliJson.Options));
            return 0;
        }

        var table = new Table().AddColumns(["metric", .. rows.Select(r => r.Name)]);
        string Cell(double mean, double sd, string format) =>
            seeds > 1 ? $"{mean.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}±{sd.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}" : mean.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, pick) in new (string, Func<RecallReport, DirectionRecall>)[] { ("video→music", r => r.VideoToMusic), ("music→video", r => r.MusicToVideo) })
        {
            var ks = pick(rows[0].Spread.Mean).Ks;
            for (var i = 0; i < ks.Count; i++)
            {
                table.AddRow([$"{name} R@{ks[i]}", .. rows.Select(r => Cell(pick(r.Spread.Mean).Recalls[i], pick(r.Spread.Sd).Recalls[i], "0.000"))]);
            }

            table.AddRow([$"{name} median rank", .. rows.Select(r => Cell(pick(r.Spread.Mean).MedianRank, pick(r.Spread.Sd).MedianRank, "0.#"))]);
        }

        var over = seeds > 1 ? $"seeds {options.Seed}..{options.Seed + seeds - 1} (mean±sd)" : $"seed {options.Seed}";
        AnsiConsole.Write(new Rows(new Markup(Markup.Escape($"Ablation on {corpus.Test.Count} test pairs, {over}; CCA: {cca.Dim} components on {cca.MusicPcaDims}/{cca.VideoPcaDims} PCA dims")), table));
        return 0;
    }

    /// <summary>A CCA row plus how it was fitted.</summary>
    private static JsonObject CcaJson(CcaBaseline cca, JsonObject row)
    {
        row["components"] = cca.Dim;
        row["pcaDims"] = new JsonObject { ["music"] = cca.MusicPcaDims, ["video"] = cca.VideoPcaDims };
        row["regularisation"] = cca.Options.Regularisation;
        return row;
    }

    private static JsonObject Directions(RecallReport report) => new()
    {
        ["videoToMusic"] = report.VideoToMusic.ToJson(),
        ["musicToVideo"] = report.MusicToVideo.ToJson(),
    };

    private static JsonObject RecallJson(string? model, int testPairs, RecallReport report)
    {
        var json = new JsonObject();
        if (model is not null)
        {
            json["model"] = model;
        }

        json["testPairs"] = testPairs;
        json["videoToMusic"] = report.VideoToMusic.ToJson();
        json["musicToVideo"] = report.MusicToVideo.ToJson();
        return json;
    }

    private static void PrintRecall(string label, RecallReport report)
    {
        foreach (var (name, d) in new[] { ("video→music", report.VideoToMusic), ("music→video", report.MusicToVideo) })
        {
            var recalls = string.Join("  ", d.Ks.Select((k, i) => $"R@{k} {d.Recalls[i]:0.000}"));
            Console.WriteLine($"  {label} {name}: {recalls}  median rank {d.MedianRank:0.#}");
        }
    }

    /// <summary>Spectre progress in a terminal; one plain line per epoch on stderr otherwise (stdout stays for results).</summary>
    private static async Task<T> WithProgressAsync<T>(int maxEpochs, Func<IProgress<EpochReport>, Task<T>> work)
    {
        if (!Terminal.Interactive)
        {
            return await work(new InlineProgress<EpochReport>(e => Console.Error.WriteLine(EpochLine(e))));
        }

        return await Terminal.Stderr.Progress().AutoClear(false).StartAsync(async context =>
        {
            var task = context.AddTask("training", maxValue: maxEpochs);
            var result = await work(new InlineProgress<EpochReport>(e =>
            {
                task.Description = Markup.Escape(EpochLine(e));
                task.Value = e.Epoch;
            }));
            task.Value = task.MaxValue;
            return result;
        });
    }

    private static string EpochLine(EpochReport e) =>
        $"epoch {e.Epoch}/{e.MaxEpochs} loss {e.Loss:0.0000} (v→m {e.VideoToMusic:0.000} m→v {e.MusicToVideo:0.000} Sv {e.VideoStructure:0.000} Sm {e.MusicStructure:0.000}) val R@10 {e.ValidationRecallAt10:0.000}{(e.Improved ? " *" : string.Empty)} {e.TrainSeconds + e.ValidationSeconds:0.0}s";

    private static TrainingOptions With(TrainingOptions options, int? epochs, int? seed) =>
        options with { MaxEpochs = epochs ?? options.MaxEpochs, Seed = seed ?? options.Seed };

    private static (TrainerOptions Settings, DataDirectory Data) Load(CommandContext context) =>
        (context.Section<TrainerOptions>(TrainerOptions.Section), context.Data);

    private static async Task<int> RequestAsync(CommandContext context, bool wait, TimeSpan timeout, CancellationToken ct)
    {
        var json = context.Json;
        // On the in-memory bus the trainer role runs in this process to answer; on RabbitMQ the workers answer.
        await using var host = context.OnRabbitMq
            ? context.BuildClient(b => b.AddPipelineEvents())
            : context.BuildHost([TrainerRole.Name], b => b.AddPipelineEvents());
        await host.StartAsync(ct);
        var events = host.Services.GetRequiredService<PipelineEvents>();
        var request = new RetrainRequested(Guid.NewGuid(), $"vmnet train --request ({Environment.UserName}@{Environment.MachineName})", "requested from the command line", DateTimeOffset.UtcNow);
        var failed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!context.OnRabbitMq)
        {
            // A failed run publishes nothing; in-process we can still tell the caller instead of timing out.
            host.Services.GetRequiredService<TrainingCoordinator>().RunCompleted += outcome =>
            {
                if (outcome is null)
                {
                    failed.TrySetResult(true);
                }
            };
        }

        await host.Services.GetRequiredService<IBus>().Publish(request, ct);
        var exit = 0;
        if (wait || !context.OnRabbitMq)
        {
            var answered = events.WaitModelAnswerAsync(request.CorrelationId, timeout, ct);
            object? result = null;
            if (await Task.WhenAny(answered, failed.Task) == answered)
            {
                try
                {
                    result = await answered;
                }
                catch (TimeoutException)
                {
                }
            }
            else
            {
                result = "failed";
            }

            exit = result is ModelPublished ? 0 : result is ModelRejected ? 2 : 1;
            if (json)
            {
                CliJson.Print(result is ModelPublished or ModelRejected ? result : new { status = result ?? "timeout", request.CorrelationId });
            }
            else
            {
                Console.WriteLine(result switch
                {
                    ModelPublished p => $"model {p.ModelVersion} published at {p.Location} (val R@10 {p.Metrics.GetValueOrDefault("val.R@10"):0.000})",
                    ModelRejected r => $"model {r.CandidateVersion} rejected: {r.Reason}",
                    "failed" => "the training failed: see the log above",
                    _ => $"no answer within {timeout.TotalSeconds:0} s (or the training failed: see the trainer's log)",
                });
            }
        }
        else if (json)
        {
            CliJson.Print(new { status = "published", request.CorrelationId });
        }
        else
        {
            Console.WriteLine($"RetrainRequested {request.CorrelationId} published");
        }

        await host.StopAsync(CancellationToken.None);
        return exit;
    }
}
