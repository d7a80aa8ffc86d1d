using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Spectre.Console;
using VmNet.ServiceDefaults;
using VmNet.Training;
using VmNet.Commands;
using VmNet.Corpus;

namespace VmNet.Demo;

/// <summary><c>vmnet demo [--pairs N] [--seconds S] [--seed X] [--seeds N] [--data DIR] [--corpus DIR | --corpus-style classic|neon] [--json]</c>.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var pairs = new Option<int>("--pairs") { Description = "Music videos to generate", DefaultValueFactory = _ => DemoOptions.DefaultPairs };
        var seconds = new Option<double>("--seconds") { Description = "Length of each generated item in seconds", DefaultValueFactory = _ => DemoOptions.DefaultSeconds };
        var seed = new Option<int>("--seed") { Description = "Seed of the corpus and of both trainings", DefaultValueFactory = _ => 1 };
        var seeds = new Option<int>("--seeds") { Description = "Train each loss with N seeds (--seed, --seed+1, ...) and report mean and sd; the first seed's combined model goes live", DefaultValueFactory = _ => 1 };
        var corpus = new Option<string?>("--corpus") { Description = "Run on this folder of music videos instead (every video file with audio is a pair)" };
        var epochs = new Option<int>("--epochs") { Description = "Maximum training epochs per model (early stopping usually ends sooner)", DefaultValueFactory = _ => 60 };
        var uploads = new Option<int>("--uploads") { Description = "Video-only uploads to tag with soundtracks (generated corpus)", DefaultValueFactory = _ => 3 };
        var corpusStyle = CorpusStyleOption("--corpus-style");
        var command = new Command(
            "demo",
            "The main job end to end, in one process on the embedded default: generate (or reuse) a corpus, ingest it through the bus, "
            + "extract features, train the combined and the inter-only model, hot-swap the combined one, evaluate Recall@K on held-out pairs, "
            + "tag new uploads, query over gRPC and write a report (HTML + PNG) into the data dir.")
        {
            pairs, seconds, seed, seeds, corpus, epochs, uploads, corpusStyle,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var context = CommandContext.From(parse);
            var overrides = context.Overrides;
            var data = context.DataPath;
            var options = new DemoOptions
            {
                DataDirectory = data,
                CorpusDirectory = parse.GetValue(corpus) is { } c ? Path.GetFullPath(c) : null,
                Pairs = parse.GetValue(pairs),
                Seconds = parse.GetValue(seconds),
                Seed = parse.GetValue(seed),
                Seeds = parse.GetValue(seeds),
                Epochs = parse.GetValue(epochs),
                Uploads = parse.GetValue(uploads),
                CorpusStyle = CorpusStyles.Parse(parse.GetValue(corpusStyle))!.Value,
                Overrides = overrides,
            };
            var asJson = parse.GetValue(CliOptions.Json);
            // Progress on stderr, so stdout carries only the figures (table or JSON).
            IDemoProgress progress = ReferenceEquals(error, Console.Error) && Terminal.Interactive ? new ConsoleDemoProgress() : new PlainDemoProgress(error);
            var result = await new DemoRunner(options, progress).RunAsync(ct);

            await output.WriteLineAsync(asJson ? DemoJson.From(result).ToJsonString(CliJson.Options) : Table(result));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The generator recipe option (<c>vmnet demo --corpus-style</c>, <c>vmnet corpus generate --style</c>), checked by
    /// the parser so a wrong name is a one-line usage error.
    /// </summary>
    public static Option<string> CorpusStyleOption(string name)
    {
        var option = new Option<string>(name)
        {
            Description = $"Generator recipe: {string.Join(" or ", CorpusStyles.Names)} (neon: other styles and tempo ranges, a plucked instrument, ring pictures)",
            DefaultValueFactory = _ => CorpusStyles.Name(CorpusStyle.Classic),
        };
        option.AcceptOnlyFromAmong([.. CorpusStyles.Names]);
        return option;
    }

    /// <summary>The figures as a plain table (it reads the same in a terminal and in a log); mean±sd with several seeds.</summary>
    public static string Table(DemoResult r)
    {
        var text = new StringBuilder();
        var seeds = r.Seeds > 1 ? $"seeds {r.Seed}..{r.Seed + r.Seeds - 1}, mean±sd" : $"seed {r.Seed}";
        text.AppendLine(CultureInfo.InvariantCulture, $"Recall@K on {r.TestPairs} held-out pairs ({r.Pairs} pairs: {r.TrainPairs} train, {r.ValidationPairs} validation), {seeds}");
        var width = r.Seeds > 1 ? 16 : 12;
        text.Append(CultureInfo.InvariantCulture, $"{"",-24}");
        foreach (var name in Columns)
        {
            text.Append(name.PadLeft(width));
        }

        text.AppendLine();
        foreach (var (name, pick) in Directions)
        {
            var rows = Rows(r).Select(x => (Mean: pick(x.Mean), Sd: pick(x.Sd))).ToList();
            for (var k = 0; k < rows[0].Mean.Ks.Count; k++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{$"{name} R@{rows[0].Mean.Ks[k]}",-24}");
                foreach (var (mean, sd) in rows)
                {
                    text.Append(Cell(mean.Recalls[k], sd.Recalls[k], r.Seeds, "0.000").PadLeft(width));
                }

                text.AppendLine();
            }

            text.Append(CultureInfo.InvariantCulture, $"{$"{name} median rank",-24}");
            foreach (var (mean, sd) in rows)
            {
                text.Append(Cell(mean.MedianRank, sd.MedianRank, r.Seeds, "0.#").PadLeft(width));
            }

            text.AppendLine();
        }

        var s = r.Stages;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"stages (s): generate {s.Generate:0.0}, ingest {s.Ingest:0.0}, features {s.Features:0.0}, train {s.Train:0.0}, embed {s.Embed:0.0}, eval {s.Eval:0.0}, uploads {s.Uploads:0.0}, queries {s.Queries:0.0}, report {s.Report:0.0}; total {s.Total:0.0}");
        text.Append(CultureInfo.InvariantCulture, $"live model {r.Combined.Version}; report: {r.ReportPath}");
        return text.ToString();
    }

    /// <summary>The four rows of every figure, in table order.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["combined", "inter-only", "CCA", "chance"];

    internal static IReadOnlyList<(string Name, Func<RecallReport, DirectionRecall> Pick)> Directions { get; } =
        [("video→music", x => x.VideoToMusic), ("music→video", x => x.MusicToVideo)];

    /// <summary>Mean and sd per column of <see cref="Columns"/>; the baselines are deterministic (sd 0).</summary>
    internal static IReadOnlyList<RecallSpread> Rows(DemoResult r) =>
        [r.Combined.Spread, r.InterOnly.Spread, RecallSpread.Of([r.Cca.Test]), RecallSpread.Of([r.Chance])];

    internal static string Cell(double mean, double sd, int seeds, string format) =>
        seeds > 1
            ? string.Create(CultureInfo.InvariantCulture, $"{mean.ToString(format, CultureInfo.InvariantCulture)}±{sd.ToString(format, CultureInfo.InvariantCulture)}")
            : mean.ToString(format, CultureInfo.InvariantCulture);
}
