using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Spectre.Console;
using VmNet.ServiceDefaults;
using VmNet.Training;
using VmNet.Commands;

namespace VmNet.Demo;

/// <summary><c>vmnet demo [--pairs N] [--seconds S] [--seed X] [--data DIR] [--corpus DIR] [--json]</c>.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var pairs = new Option<int>("--pairs") { Description = "Music videos to generate", DefaultValueFactory = _ => DemoOptions.DefaultPairs };
        var seconds = new Option<double>("--seconds") { Description = "Length of each generated item in seconds", DefaultValueFactory = _ => DemoOptions.DefaultSeconds };
        var seed = new Option<int>("--seed") { Description = "Seed of the corpus and of both trainings", DefaultValueFactory = _ => 1 };
        var corpus = new Option<string?>("--corpus") { Description = "Run on this folder of music videos instead (every video file with audio is a pair)" };
        var epochs = new Option<int>("--epochs") { Description = "Maximum training epochs per model (early stopping usually ends sooner)", DefaultValueFactory = _ => 60 };
        var uploads = new Option<int>("--uploads") { Description = "Video-only uploads to tag with soundtracks (generated corpus)", DefaultValueFactory = _ => 3 };
        var command = new Command(
            "demo",
            "The main job end to end, in one process on the embedded default: generate (or reuse) a corpus, ingest it through the bus, "
            + "extract features, train the combined and the inter-only model, hot-swap the combined one, evaluate Recall@K on held-out pairs, "
            + "tag new uploads, query over gRPC and write a report (HTML + PNG) into the data dir.")
        {
            pairs, seconds, seed, corpus, epochs, uploads,
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
                Epochs = parse.GetValue(epochs),
                Uploads = parse.GetValue(uploads),
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

    /// <summary>The figures as a plain table (it reads the same in a terminal and in a log).</summary>
    public static string Table(DemoResult r)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Recall@K on {r.TestPairs} held-out pairs ({r.Pairs} pairs: {r.TrainPairs} train, {r.ValidationPairs} validation), seed {r.Seed}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"",-24}{"combined",10}{"inter-only",12}{"chance",10}");
        foreach (var (name, pick) in new (string, Func<RecallReport, DirectionRecall>)[] { ("video→music", x => x.VideoToMusic), ("music→video", x => x.MusicToVideo) })
        {
            var (c, i, ch) = (pick(r.Combined.Test), pick(r.InterOnly.Test), pick(r.Chance));
            for (var k = 0; k < c.Ks.Count; k++)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{$"{name} R@{c.Ks[k]}",-24}{c.Recalls[k],10:0.000}{i.Recalls[k],12:0.000}{ch.Recalls[k],10:0.000}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"{$"{name} median rank",-24}{c.MedianRank,10:0.#}{i.MedianRank,12:0.#}{ch.MedianRank,10:0.#}");
        }

        var s = r.Stages;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"stages (s): generate {s.Generate:0.0}, ingest {s.Ingest:0.0}, features {s.Features:0.0}, train {s.Train:0.0}, embed {s.Embed:0.0}, eval {s.Eval:0.0}, uploads {s.Uploads:0.0}, queries {s.Queries:0.0}, report {s.Report:0.0}; total {s.Total:0.0}");
        text.Append(CultureInfo.InvariantCulture, $"live model {r.Combined.Version}; report: {r.ReportPath}");
        return text.ToString();
    }
}
