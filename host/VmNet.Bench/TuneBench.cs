using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using VmNet.Commands;
using VmNet.Contracts;
using VmNet.Corpus;
using VmNet.Media;
using VmNet.Storage;
using VmNet.Training;

namespace VmNet.Bench;

/// <summary>One setting of the sweep: a name and the changes it makes to the base options (<see cref="TuneSettings"/>).</summary>
public sealed record TuneVariant(string Name, string Changes);

/// <summary>A variant's test figures over the seeds (and its validation figures, on which a choice is made).</summary>
public sealed record TuneRow(TuneVariant Variant, LossMode Loss, RecallSpread Test, RecallSpread Validation, double Seconds)
{
    /// <summary>Mean over both directions of validation R@1 minus a hundredth of the validation median rank: the figure a choice is made on.</summary>
    public double ValidationScore =>
        ((Validation.Mean.VideoToMusic.At(1) + Validation.Mean.MusicToVideo.At(1)) / 2)
        - ((Validation.Mean.VideoToMusic.MedianRank + Validation.Mean.MusicToVideo.MedianRank) / 200);

    /// <summary>True when the mean beats <paramref name="baseline"/> by more than one sd on R@1 and median rank in both directions.</summary>
    public bool BeatsBySd(RecallReport baseline) =>
        Beats(Test.Mean.VideoToMusic, Test.Sd.VideoToMusic, baseline.VideoToMusic)
        && Beats(Test.Mean.MusicToVideo, Test.Sd.MusicToVideo, baseline.MusicToVideo);

    private static bool Beats(DirectionRecall mean, DirectionRecall sd, DirectionRecall baseline) =>
        mean.At(1) - sd.At(1) > baseline.At(1) && mean.MedianRank + sd.MedianRank < baseline.MedianRank;
}

/// <summary>
/// <c>vmnet bench tune</c>: the documented tuning search. Loads the complete pairs of <c>--data</c>'s catalogue
/// (e.g. a demo run's data dir), splits them as the demo does (exact 20 % test and 20 % validation shares by media
/// id), and trains every variant of the sweep for <c>--seeds</c> seeds, beside CCA and chance on the same split.
/// Variants change the base options (the demo's, plus <c>--set</c>) one thing at a time. Choices are made on
/// validation figures; test figures are what the trainer README reports.
/// </summary>
public static class TuneBench
{
    /// <summary>
    /// The sweep, one change at a time from the base. Names are stable: the trainer README quotes them.
    /// </summary>
    public static IReadOnlyList<TuneVariant> Sweep { get; } =
    [
        new("base", string.Empty),
        new("pca16", "pca=16"),
        new("pca32", "pca=32"),
        new("pca64", "pca=64"),
        new("pca16w", "pca=16;whiten=true"),
        new("pca32w", "pca=32;whiten=true"),
        new("pca64w", "pca=64;whiten=true"),
        new("linear", "hidden=none"),
        new("h256", "hidden=256"),
        new("h512-256", "hidden=512-256"),
        new("emb64", "embedding=64"),
        new("emb128", "embedding=128"),
        new("dropout0", "dropout=0"),
        new("dropout0.3", "dropout=0.3"),
        new("dropout0.5", "dropout=0.5"),
        new("margin0.05", "margin=0.05"),
        new("margin0.2", "margin=0.2"),
        new("margin0.4", "margin=0.4"),
        new("topq2", "topq=2"),
        new("topq10", "topq=10"),
        new("lambda1111", "lambdas=1,1,1,1"),
        new("lambda3111", "lambdas=3,1,1,1"),
        new("lambda1-1-0.2-0.2", "lambdas=1,1,0.2,0.2"),
        new("lambda3-1-0.05-0.05", "lambdas=3,1,0.05,0.05"),
        new("batch32", "batch=32"),
        new("batch128", "batch=128"),
        new("lr1e-3", "lr=0.001"),
        new("lr1e-4", "lr=0.0001"),
        new("lrdecay0.95", "lr-decay=0.95"),
        new("wd1e-3", "weight-decay=0.001"),
        new("stop-median", "stop=median"),
        new("cca-start", "init=cca;epochs=0"),
        new("cca-linear", "init=cca;hidden=none;embedding=32"),
        new("cca-linear-b128", "init=cca;hidden=none;embedding=32;batch=128"),
        new("cca-res256", "init=cca;hidden=256;embedding=32"),
        new("cca-res256-b128", "init=cca;hidden=256;embedding=32;batch=128"),
        new("cca-linear-lr1e-4", "init=cca;hidden=none;embedding=32;lr=0.0001"),
        new("cca-linear-median", "init=cca;hidden=none;embedding=32;stop=median"),
        new("cca-res256-lrdecay", "init=cca;hidden=256;embedding=32;lr=0.001;lr-decay=0.9"),
    ];

    public static Command Create()
    {
        var seeds = new Option<int>("--seeds") { Description = "Seeds per variant (--seed, --seed+1, ...)", DefaultValueFactory = _ => 3 };
        var seed = new Option<int>("--seed") { Description = "First seed", DefaultValueFactory = _ => 1 };
        var set = new Option<string[]>("--set") { Description = "Change the base: key=value[;key=value...] (keys: " + string.Join(", ", TuneSettings.Keys) + ")", AllowMultipleArgumentsPerToken = false };
        var only = new Option<string[]>("--only") { Description = "Run only these variants of the sweep (by name)" };
        var variant = new Option<string[]>("--variant") { Description = "An extra variant NAME:key=value[;key=value...]" };
        var inter = new Option<bool>("--inter-only") { Description = "Also train every variant with the inter-modal loss alone" };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0: all cores)", DefaultValueFactory = _ => 0 };
        var corpusOption = new Option<string?>("--corpus")
        {
            Description = "The generated corpus the catalogue was ingested from (its folder or corpus.json; default: DATA/corpus when it has one), for the factor-ceiling row",
        };
        var command = new Command("tune", "The training-settings sweep on a data dir's catalogue (e.g. a demo run's): every variant over several seeds, beside CCA and chance on the demo's split, and on a generated corpus the factor and rendering ceilings.")
        {
            seeds, seed, set, only, variant, inter, threads, corpusOption,
        };
        command.SetAction(async (parse, ct) =>
        {
            var context = CommandContext.From(parse);
            var runs = parse.GetValue(seeds);
            if (runs is < 1 or > 20)
            {
                throw new UsageException($"--seeds must be in [1, 20] (got {runs})");
            }

            TrainingOptions baseOptions;
            List<TuneVariant> variants;
            try
            {
                baseOptions = (parse.GetValue(set) ?? []).Aggregate(DemoBase with { Threads = parse.GetValue(threads) }, TuneSettings.Apply);
                variants = Select(parse.GetValue(only), parse.GetValue(variant));
                foreach (var v in variants)
                {
                    TuneSettings.Apply(baseOptions, v.Changes).Validate();
                }
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }

            var catalogue = VectorStoreRegistration.OpenCatalogue(context.Configuration, context.Data);
            var pairs = new List<FeaturePair>();
            await foreach (var item in catalogue.ListAsync(MediaKind.Pair, ct))
            {
                if (item.MusicFeatures is { Length: > 0 } music && item.VideoFeatures is { Length: > 0 } video)
                {
                    pairs.Add(new FeaturePair(item.MediaId, music, video));
                }
            }

            var corpus = PairCorpus.BuildWithExactShares(pairs, DemoValidationFraction, DemoTestFraction);
            var error = parse.InvocationConfiguration.Error;
            var items = await GeneratorItemsAsync(parse.GetValue(corpusOption), context.DataPath, [.. pairs.Select(p => p.MediaId)], line => error.WriteLine(line), ct);
            var result = Run(corpus, baseOptions, variants, parse.GetValue(seed), runs, parse.GetValue(inter), line => error.WriteLine(line), ct, items);
            await parse.InvocationConfiguration.Output.WriteLineAsync(
                parse.GetValue(CliOptions.Json) ? result.ToJson().ToJsonString(CliJson.Options) : result.ToText());
            return 0;
        });
        return command;
    }

    /// <summary>The demo's shares (<c>DemoOptions</c>): 20 % test, 20 % validation.</summary>
    public const double DemoTestFraction = 0.2;

    public const double DemoValidationFraction = 0.2;

    /// <summary>The demo's training settings on top of the trainer's defaults: 60 epochs, batch 64, patience 12.</summary>
    public static TrainingOptions DemoBase { get; } = new()
    {
        MaxEpochs = 60, BatchSize = 64, Patience = 12, ValidationFraction = DemoValidationFraction, TestFraction = DemoTestFraction,
    };

    public static TuneResult Run(
        PairCorpus corpus, TrainingOptions baseOptions, IReadOnlyList<TuneVariant> variants, int seed, int seeds, bool interOnly,
        Action<string>? log, CancellationToken cancellationToken, IReadOnlyDictionary<string, CorpusItem>? items = null)
    {
        var cca = CcaBaseline.Fit(corpus.Train);
        var ccaTest = cca.Evaluate(corpus.Test);
        FactorCeilingResult? ceiling = null;
        if (items is not null)
        {
            var factors = items.ToDictionary(p => p.Key, p => p.Value.Factors);
            ceiling = FactorCeiling.Evaluate(corpus, factors) with
            {
                Rendering = FactorCeiling.Evaluate(FactorCeiling.RenderingCorpus(corpus, items), factors),
            };
        }
        var rows = new List<TuneRow>();
        foreach (var variant in variants)
        {
            foreach (var loss in interOnly ? new[] { LossMode.Combined, LossMode.InterOnly } : [LossMode.Combined])
            {
                var options = TuneSettings.Apply(baseOptions, variant.Changes) with { LossMode = loss };
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var (test, validation) = (new List<RecallReport>(), new List<RecallReport>());
                for (var s = 0; s < seeds; s++)
                {
                    var trained = TrainingRun.Train(corpus, options with { Seed = seed + s }, null, cancellationToken);
                    using var model = trained.Model;
                    test.Add(trained.Test!);
                    validation.Add(trained.Validation);
                }

                var row = new TuneRow(variant, loss, RecallSpread.Of(test), RecallSpread.Of(validation), clock.Elapsed.TotalSeconds);
                rows.Add(row);
                log?.Invoke(TuneResult.Line(row));
            }
        }

        return new TuneResult(corpus.Train.Count, corpus.Validation.Count, corpus.Test.Count, seed, seeds, baseOptions, rows, ccaTest, RecallAtK.Chance(corpus.Test.Count))
        {
            Ceiling = ceiling,
        };
    }

    /// <summary>
    /// Media id → the corpus item (factors and rendering parameters), when every pair of the catalogue is a file of
    /// the corpus: matched by content (media ids are content hashes, <see cref="MediaId"/>), so a catalogue ingested
    /// from another corpus with the same file names is not mistaken for this one. Otherwise null, with the reason on
    /// <paramref name="log"/>. An explicit <paramref name="corpus"/> that cannot be read is the user's mistake.
    /// </summary>
    public static async Task<Dictionary<string, CorpusItem>?> GeneratorItemsAsync(
        string? corpus, string data, IReadOnlyCollection<string> mediaIds, Action<string> log, CancellationToken cancellationToken)
    {
        var path = corpus ?? Path.Combine(data, "corpus");
        if (corpus is null && !File.Exists(Path.Combine(path, CorpusManifest.FileName)))
        {
            return null;
        }

        CorpusManifest manifest;
        try
        {
            manifest = CorpusManifest.Load(path);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new UsageException($"--corpus: {e.Message}");
        }

        var byId = new Dictionary<string, CorpusItem>(StringComparer.Ordinal);
        foreach (var item in manifest.OfKind(CorpusItemKind.Pair))
        {
            var file = manifest.PathOf(item);
            if (File.Exists(file))
            {
                byId[await MediaId.OfFileAsync(file, cancellationToken)] = item;
            }
        }

        var found = new Dictionary<string, CorpusItem>(StringComparer.Ordinal);
        foreach (var mediaId in mediaIds)
        {
            if (!byId.TryGetValue(mediaId, out var item))
            {
                log($"factor ceiling skipped: pair {mediaId} is not a file of the corpus at {manifest.Directory}");
                return null;
            }

            found[mediaId] = item;
        }

        return found;
    }

    private static List<TuneVariant> Select(string[]? only, string[]? extra)
    {
        var chosen = only is { Length: > 0 }
            ? [.. only.SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Select(name =>
                Sweep.FirstOrDefault(v => v.Name == name) ?? throw new ArgumentException($"no variant '{name}' in the sweep (see the trainer README)"))]
            : Sweep.ToList();
        foreach (var e in extra ?? [])
        {
            var colon = e.IndexOf(':', StringComparison.Ordinal);
            if (colon < 1)
            {
                throw new ArgumentException($"--variant must be NAME:key=value[;key=value...] (got '{e}')");
            }

            chosen.Add(new TuneVariant(e[..colon], e[(colon + 1)..]));
        }

        return chosen;
    }
}

/// <summary>What <c>vmnet bench tune</c> prints.</summary>
public sealed record TuneResult(
    int TrainPairs, int ValidationPairs, int TestPairs, int Seed, int Seeds, TrainingOptions Base, IReadOnlyList<TuneRow> Rows, RecallReport Cca, RecallReport Chance)
{
    /// <summary>The supervised factor matcher (<see cref="FactorCeiling"/>) on the same split, when the corpus's factors are known.</summary>
    public FactorCeilingResult? Ceiling { get; init; }

    public static string Line(TuneRow row) => string.Create(CultureInfo.InvariantCulture,
        $"{row.Variant.Name,-22} {(row.Loss == LossMode.Combined ? "combined" : "inter"),-9} {Cell(row.Test.Mean.VideoToMusic, row.Test.Sd.VideoToMusic)}  {Cell(row.Test.Mean.MusicToVideo, row.Test.Sd.MusicToVideo)}  val {row.ValidationScore,6:0.000}  {row.Seconds,5:0}s");

    public string ToText()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"bench tune: {TrainPairs} train, {ValidationPairs} validation, {TestPairs} test pairs; seeds {Seed}..{Seed + Seeds - 1}; test R@1 and median rank, mean±sd");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"variant",-22} {"loss",-9} {"v→m R@1",-11} {"medRank",-10}  {"m→v R@1",-11} {"medRank",-10}  val score");
        foreach (var row in Rows)
        {
            text.AppendLine(Line(row) + (row.BeatsBySd(Cca) ? "  > CCA+1sd" : string.Empty));
        }

        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"CCA",-22} {"-",-9} {Cell(Cca.VideoToMusic, null)}  {Cell(Cca.MusicToVideo, null)}"));
        if (Ceiling is { } ceiling)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"factor ceiling",-22} {"-",-9} {Cell(ceiling.Test.VideoToMusic, null)}  {Cell(ceiling.Test.MusicToVideo, null)}"));
            if (ceiling.Rendering is { } rendering)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"rendering ceiling",-22} {"-",-9} {Cell(rendering.Test.VideoToMusic, null)}  {Cell(rendering.Test.MusicToVideo, null)}"));
            }
        }

        text.Append(string.Create(CultureInfo.InvariantCulture, $"{"chance",-22} {"-",-9} {Cell(Chance.VideoToMusic, null)}  {Cell(Chance.MusicToVideo, null)}"));
        if (Ceiling is { } c)
        {
            text.AppendLine();
            text.AppendLine("factor ceiling: ridge from each side's features to the generator's hidden factors (given for training), matched on the predictions;");
            text.AppendLine("rendering ceiling: the same from the parameters each side was rendered from instead of features. Validation R² per factor:");
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {"factor",-22} {"music",6} {"video",6}   {"rendering: music",16} {"video",6}"));
            text.Append(string.Join(Environment.NewLine, c.Factors.Select((f, i) =>
                string.Create(CultureInfo.InvariantCulture, $"  {f,-22} {c.MusicR2[i],6:0.00} {c.VideoR2[i],6:0.00}   {c.Rendering?.MusicR2[i],16:0.00} {c.Rendering?.VideoR2[i],6:0.00}"))));
        }

        return text.ToString();
    }

    public JsonObject ToJson() => new()
    {
        ["trainPairs"] = TrainPairs,
        ["validationPairs"] = ValidationPairs,
        ["testPairs"] = TestPairs,
        ["seed"] = Seed,
        ["seeds"] = Seeds,
        ["rows"] = new JsonArray([.. Rows.Select(r => (JsonNode)new JsonObject
        {
            ["variant"] = r.Variant.Name,
            ["changes"] = r.Variant.Changes,
            ["loss"] = r.Loss == LossMode.Combined ? "combined" : "inter-only",
            ["test"] = r.Test.ToJson(),
            ["validation"] = r.Validation.ToJson(),
            ["validationScore"] = r.ValidationScore,
            ["beatsCcaBySd"] = r.BeatsBySd(Cca),
            ["seconds"] = Math.Round(r.Seconds, 1),
        })]),
        ["cca"] = RecallSpread.Of([Cca]).ToJson(),
        ["chance"] = RecallSpread.Of([Chance]).ToJson(),
        ["factorCeiling"] = Ceiling is { } c ? CeilingJson(c) : null,
        ["renderingCeiling"] = Ceiling?.Rendering is { } r ? CeilingJson(r) : null,
    };

    private static JsonObject CeilingJson(FactorCeilingResult c) => new()
    {
        ["test"] = RecallSpread.Of([c.Test]).ToJson(),
        ["validationR2"] = new JsonObject(c.Factors.Select((f, i) => KeyValuePair.Create(f, (JsonNode?)new JsonObject
        {
            ["music"] = Math.Round(c.MusicR2[i], 4),
            ["video"] = Math.Round(c.VideoR2[i], 4),
        }))),
    };

    private static string Cell(DirectionRecall mean, DirectionRecall? sd) => sd is null
        ? string.Create(CultureInfo.InvariantCulture, $"{mean.At(1),-11:0.000} {mean.MedianRank,-10:0.0}")
        : string.Create(CultureInfo.InvariantCulture, $"{mean.At(1):0.000}±{sd.At(1):0.000} {mean.MedianRank,4:0.0}±{sd.MedianRank,-4:0.0}");
}

/// <summary>
/// <c>key=value;key=value</c> changes to <see cref="TrainingOptions"/>, as the sweep and <c>--set</c> write them.
/// Hidden widths are dash-separated (<c>hidden=512-256</c>, <c>hidden=none</c> for a linear branch).
/// </summary>
public static class TuneSettings
{
    public static IReadOnlyList<string> Keys { get; } =
    [
        "pca", "music-pca", "video-pca", "whiten", "hidden", "music-hidden", "video-hidden", "embedding", "dropout", "margin", "topq",
        "lambdas", "batch", "lr", "lr-decay", "weight-decay", "stop", "epochs", "patience", "init", "cca-components", "cca-pca", "cca-ridge",
    ];

    public static TrainingOptions Apply(TrainingOptions options, string changes)
    {
        foreach (var change in changes.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = change.IndexOf('=', StringComparison.Ordinal);
            if (eq < 1)
            {
                throw new ArgumentException($"a change must be key=value (got '{change}')");
            }

            var (key, value) = (change[..eq].Trim(), change[(eq + 1)..].Trim());
            options = key switch
            {
                "pca" => options with { MusicPcaDims = Int(key, value), VideoPcaDims = Int(key, value) },
                "music-pca" => options with { MusicPcaDims = Int(key, value) },
                "video-pca" => options with { VideoPcaDims = Int(key, value) },
                "whiten" => options with { PcaWhiten = Bool(key, value) },
                "hidden" => options with { MusicHidden = Widths(key, value), VideoHidden = Widths(key, value) },
                "music-hidden" => options with { MusicHidden = Widths(key, value) },
                "video-hidden" => options with { VideoHidden = Widths(key, value) },
                "embedding" => options with { EmbeddingDim = Int(key, value) },
                "dropout" => options with { Dropout = Number(key, value) },
                "margin" => options with { Margin = Number(key, value) },
                "topq" => options with { TopQ = Int(key, value) },
                "lambdas" => Lambdas(options, value),
                "batch" => options with { BatchSize = Int(key, value) },
                "lr" => options with { LearningRate = Number(key, value) },
                "lr-decay" => options with { LearningRateDecay = Number(key, value) },
                "weight-decay" => options with { WeightDecay = Number(key, value) },
                "stop" => options with
                {
                    EarlyStopping = value switch
                    {
                        "r10" => EarlyStopMetric.RecallAt10,
                        "median" => EarlyStopMetric.MedianRank,
                        _ => throw new ArgumentException($"stop must be r10 or median (got '{value}')"),
                    },
                },
                "init" => options with
                {
                    Init = value switch
                    {
                        "random" => InitMode.Random,
                        "cca" => InitMode.Cca,
                        _ => throw new ArgumentException($"init must be random or cca (got '{value}')"),
                    },
                },
                "cca-components" => options with { CcaComponents = Int(key, value) },
                "cca-pca" => options with { CcaPcaDims = Int(key, value) },
                "cca-ridge" => options with { CcaRegularisation = Number(key, value) },
                "epochs" => options with { MaxEpochs = Int(key, value) },
                "patience" => options with { Patience = Int(key, value) },
                _ => throw new ArgumentException($"unknown setting '{key}' (known: {string.Join(", ", Keys)})"),
            };
        }

        return options;
    }

    private static TrainingOptions Lambdas(TrainingOptions options, string value)
    {
        var parts = value.Split(',').Select(p => Number("lambdas", p)).ToArray();
        if (parts.Length != 4)
        {
            throw new ArgumentException($"lambdas takes four numbers λ1,λ2,λ3,λ4 (got '{value}')");
        }

        return options with { LambdaVideoToMusic = parts[0], LambdaMusicToVideo = parts[1], LambdaVideoStructure = parts[2], LambdaMusicStructure = parts[3] };
    }

    private static int[] Widths(string key, string value) =>
        value == "none" ? [] : [.. value.Split('-').Select(w => Int(key, w))];

    private static int Int(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"{key} takes an integer (got '{value}')");

    private static double Number(string key, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : throw new ArgumentException($"{key} takes a number (got '{value}')");

    private static bool Bool(string key, string value) =>
        bool.TryParse(value, out var v) ? v : throw new ArgumentException($"{key} takes true or false (got '{value}')");
}
