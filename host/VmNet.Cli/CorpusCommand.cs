using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using VmNet.ServiceDefaults;
using VmNet.Commands;
using VmNet.Corpus;

namespace VmNet.Cli;

/// <summary><c>vmnet corpus generate</c>.</summary>
public static class CorpusCommand
{
    /// <summary>What <c>--json</c> prints.</summary>
    public sealed record Summary(
        string Out, string Manifest, int Pairs, int MusicOnly, int VideoOnly, double Seconds, int Seed,
        int Files, long Bytes, bool Reused, int Rendered, double ElapsedSeconds, string Style);



    public static Command Create()
    {
        var output = new Option<string>("--out")
        {
            Description = "Folder for the media files and corpus.json (created when missing)",
            Required = true,
        };
        var pairs = new Option<int>("--pairs") { Description = "Music videos (H.264 + AAC MP4)", DefaultValueFactory = _ => 100 };
        var seconds = new Option<double>("--seconds") { Description = "Length of each item in seconds", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed and options give the same corpus", DefaultValueFactory = _ => 1 };
        var musicOnly = new Option<int?>("--music-only") { Description = "Music-only tracks (.m4a); default: a tenth of --pairs, at least 1" };
        var videoOnly = new Option<int?>("--video-only") { Description = "Video-only uploads (MP4, no audio); default: a tenth of --pairs, at least 1" };
        var style = VmNet.Demo.DemoCommand.CorpusStyleOption("--style");
        var generate = new Command("generate", "Render a corpus of music videos whose pictures and sounds share hidden factors, plus music-only and video-only items.")
        {
            output, pairs, seconds, seed, musicOnly, videoOnly, style,
        };
        generate.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var count = parse.GetValue(pairs);
            var extra = Math.Max(1, count / 10);
            var options = new CorpusOptions
            {
                OutputDirectory = parse.GetValue(output)!,
                Pairs = count,
                Seconds = parse.GetValue(seconds),
                Seed = parse.GetValue(seed),
                MusicOnly = parse.GetValue(musicOnly) ?? extra,
                VideoOnly = parse.GetValue(videoOnly) ?? extra,
                Style = CorpusStyles.Parse(parse.GetValue(style))!.Value,
            };
            return await RunAsync(options, parse.GetValue(CliOptions.Json), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct);
        });
        return new Command("corpus", "Generated music-video corpora for tests, the demo and benchmarks.") { generate };
    }

    public static async Task<int> RunAsync(CorpusOptions options, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var rendered = 0;
        CorpusManifest manifest;
        try
        {
            options.Validate();
            if (ReferenceEquals(error, Console.Error) && Terminal.Interactive)
            {
                manifest = await Terminal.Stderr.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask("rendering corpus");
                        return await CorpusGenerator.GenerateAsync(options, new InlineProgress<CorpusProgress>(p =>
                        {
                            task.MaxValue = p.Total;
                            task.Value = p.Done;
                            rendered = p.Rendered;
                        }), cancellationToken);
                    });
            }
            else
            {
                var step = -1;
                manifest = await CorpusGenerator.GenerateAsync(options, new InlineProgress<CorpusProgress>(p =>
                {
                    rendered = p.Rendered;
                    // Plain lines at every tenth, for logs and pipes.
                    var tenth = p.Total == 0 ? 10 : p.Done * 10 / p.Total;
                    if (tenth > step)
                    {
                        step = tenth;
                        error.WriteLine($"corpus: {p.Done}/{p.Total} items");
                    }
                }), cancellationToken);
            }
        }
        catch (CorpusException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }

        var files = manifest.Items.Select(manifest.PathOf).ToList();
        var summary = new Summary(
            manifest.Directory, Path.Combine(manifest.Directory, CorpusManifest.FileName),
            options.Pairs, options.MusicOnly, options.VideoOnly, options.Seconds, options.Seed,
            files.Count, files.Sum(f => new FileInfo(f).Length), manifest.Reused, rendered, Math.Round(clock.Elapsed.TotalSeconds, 2),
            CorpusStyles.Name(options.Style));
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(summary, CliJson.Options));
        }
        else
        {
            var what = manifest.Reused ? "reused" : $"rendered {rendered} of {files.Count} files";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"corpus ({summary.Style}): {what} in {summary.ElapsedSeconds:0.0} s: {options.Pairs} pairs, {options.MusicOnly} music-only, {options.VideoOnly} video-only, {options.Seconds:0.##} s each ({summary.Bytes / 1e6:0.0} MB) in {summary.Out}"));
        }

        return 0;
    }
}
