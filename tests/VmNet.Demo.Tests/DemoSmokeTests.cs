using System.Text.Json.Nodes;
using VmNet.Cli;
using VmNet.Demo;
using VmNet.Testing;

namespace VmNet.Demo.Tests;

/// <summary>
/// A tiny demo (16 pairs of 2 s, 3 epochs) through <c>vmnet demo --json</c> in process: the same code path as the
/// full run, checked for the JSON shape, figures that are recalls and ranks, and the report's files.
/// </summary>
public sealed class DemoSmokeTests
{
    private static readonly string[] Ks = ["R@1", "R@10", "R@25", "R@50", "R@100"];

    [Fact]
    public async Task Tiny_demo_prints_the_figures_and_writes_the_report()
    {
        using var data = new TempFolder("demo");
        var (exit, stdout, stderr) = await RunAsync(
            "demo", "--pairs", "16", "--seconds", "2", "--epochs", "3", "--uploads", "1", "--seed", "5", "--json", "--data", data.Path);
        Assert.True(exit == 0, $"exit {exit}\nstdout: {stdout}\nstderr: {stderr}");

        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal(16, (int)json["pairs"]!);
        Assert.Equal(0, (int)json["failed"]!);
        var test = (int)json["testPairs"]!;
        Assert.True(test >= 2, $"testPairs {test}");
        Assert.Equal(16, (int)json["trainPairs"]! + (int)json["validationPairs"]! + test);

        foreach (var name in new[] { "combined", "interOnly" })
        {
            var model = json["models"]![name]!.AsObject();
            foreach (var direction in new[] { "videoToMusic", "musicToVideo" })
            {
                AssertRecalls(model[direction]!.AsObject(), test, $"{name}.{direction}");
            }
        }

        foreach (var stage in new[] { "generate", "ingest", "features", "train", "embed", "eval" })
        {
            Assert.True((double)json["stages"]![stage]! >= 0, stage);
        }

        // The combined model was published and is what search served; its folder carries the published marker.
        var version = (string)json["models"]!["combined"]!["version"]!;
        Assert.True(File.Exists(Path.Combine(data.Path, "models", version, "published.json")));
        var queries = json["queries"]!.AsArray();
        Assert.Equal(2 * Math.Min(3, test), queries.Count);
        Assert.All(queries, q => Assert.Equal(version, (string)q!["modelVersion"]!));
        Assert.All(queries, q => Assert.NotEmpty(q!["top"]!.AsArray()));

        var upload = Assert.Single(json["uploads"]!.AsArray());
        Assert.Equal(version, (string)upload!["modelVersion"]!);
        Assert.NotEmpty(upload["tracks"]!.AsArray());

        var report = Path.Combine(data.Path, "report");
        Assert.Equal(Path.Combine(report, DemoReport.PageName), (string)json["report"]!);
        foreach (var png in new[] { DemoReport.RecallPng, DemoReport.LossPng, DemoReport.ProjectionPng })
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(report, png), TestContext.Current.CancellationToken);
            Assert.True(bytes.Length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', $"{png} is not a PNG");
        }

        var page = await File.ReadAllTextAsync(Path.Combine(report, DemoReport.PageName), TestContext.Current.CancellationToken);
        foreach (var png in new[] { DemoReport.RecallPng, DemoReport.LossPng, DemoReport.ProjectionPng })
        {
            Assert.Contains($"src=\"{png}\"", page, StringComparison.Ordinal);
        }

        Assert.Equal(json.ToJsonString(), JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(report, DemoReport.ResultsJson), TestContext.Current.CancellationToken))!.ToJsonString());
    }

    [Fact]
    public async Task A_corpus_folder_without_videos_is_refused_with_a_reason()
    {
        using var data = new TempFolder("demo-data");
        using var empty = new TempFolder("demo-empty");
        await File.WriteAllTextAsync(empty.File("notes.txt"), "not a video", TestContext.Current.CancellationToken);
        var (exit, stdout, stderr) = await RunAsync("demo", "--corpus", empty.Path, "--json", "--data", data.Path);
        Assert.Equal(1, exit);
        Assert.Contains("no video files", stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    private static void AssertRecalls(JsonObject direction, int testPairs, string what)
    {
        var previous = 0.0;
        foreach (var k in Ks)
        {
            var recall = (double)direction[k]!;
            Assert.InRange(recall, previous, 1.0);
            previous = recall;
        }

        // Every rank is at most the gallery size, so R@K is 1 once K reaches it.
        Assert.True(testPairs > 100 || (double)direction["R@100"]! == 1.0, what);
        Assert.InRange((double)direction["medianRank"]!, 1.0, testPairs);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await VmNetCommands.Build().Parse(args).InvokeAsync(
            new System.CommandLine.InvocationConfiguration { Output = stdout, Error = stderr }, TestContext.Current.CancellationToken);
        return (exit, stdout.ToString().Trim(), stderr.ToString());
    }
}
