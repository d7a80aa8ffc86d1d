using System.Text.Json.Nodes;
using VmNet.Cli;
using VmNet.Demo;
using VmNet.Testing;

namespace VmNet.Demo.Tests;

/// <summary>
/// A tiny demo (16 pairs of 2 s, 3 epochs, 2 seeds) through <c>vmnet demo --json</c> in process: the same code path
/// as the full run, checked for the JSON shape, figures that are recalls and ranks, the baselines, the
/// split's ids and the report's files.
/// </summary>
public sealed class DemoSmokeTests
{
    private static readonly string[] Ks = ["R@1", "R@10", "R@25", "R@50", "R@100"];

    [Fact]
    public async Task Tiny_demo_prints_the_figures_and_writes_the_report()
    {
        using var data = new TempFolder("demo");
        var (exit, stdout, stderr) = await RunAsync(
            "demo", "--pairs", "16", "--seconds", "2", "--epochs", "3", "--uploads", "1", "--seed", "5", "--seeds", "2", "--json", "--data", data.Path);
        Assert.True(exit == 0, $"exit {exit}\nstdout: {stdout}\nstderr: {stderr}");

        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal(16, (int)json["pairs"]!);
        Assert.Equal(0, (int)json["failed"]!);
        var test = (int)json["testPairs"]!;
        Assert.True(test >= 2, $"testPairs {test}");
        Assert.Equal(16, (int)json["trainPairs"]! + (int)json["validationPairs"]! + test);

        Assert.Equal(2, (int)json["seeds"]!);
        var rows = new Dictionary<string, JsonObject>
        {
            ["combined"] = json["models"]!["combined"]!.AsObject(),
            ["interOnly"] = json["models"]!["interOnly"]!.AsObject(),
            ["cca"] = json["cca"]!.AsObject(),
            ["chance"] = json["chance"]!.AsObject(),
        };
        foreach (var (name, row) in rows)
        {
            foreach (var direction in new[] { "videoToMusic", "musicToVideo" })
            {
                AssertRecalls(row[direction]!.AsObject(), test, $"{name}.{direction}");
                var sd = row[direction]!["sd"]!.AsObject();
                Assert.Equal(Ks.Append("medianRank"), sd.Select(p => p.Key));
                Assert.All(sd, p => Assert.True((double)p.Value! >= 0, $"{name}.{direction}.sd.{p.Key}"));
            }
        }

        // The baselines are deterministic; CCA keeps at most n_train − 1 principal components per modality.
        Assert.Equal(0.0, (double)json["cca"]!["videoToMusic"]!["sd"]!["R@1"]!);
        Assert.InRange((int)json["cca"]!["components"]!, 1, (int)json["trainPairs"]! - 1);
        Assert.Equal((test + 1) / 2.0, (double)json["chance"]!["musicToVideo"]!["medianRank"]!);

        // The split's media ids: as many as each part's size, disjoint, together every pair.
        var split = json["split"]!.AsObject();
        var ids = new Dictionary<string, List<string>>();
        foreach (var (part, size) in new[] { ("train", "trainPairs"), ("validation", "validationPairs"), ("test", "testPairs") })
        {
            ids[part] = [.. split[part]!.AsArray().Select(id => (string)id!)];
            Assert.Equal((int)json[size]!, ids[part].Count);
        }

        Assert.Equal(16, ids.Values.SelectMany(v => v).Distinct().Count());

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
        // Who each ranked item is comes back from the catalogue: the demo's external id and style label.
        Assert.All(upload["tracks"]!.AsArray().Concat(queries.SelectMany(q => q!["top"]!.AsArray())), t =>
        {
            Assert.StartsWith("demo/", (string)t!["externalId"]!, StringComparison.Ordinal);
            Assert.Equal((string?)t["style"], (string?)t["labels"]?["style"]);
        });

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

        Assert.Contains("<th>metric</th><th>combined</th><th>inter-only</th><th>CCA</th><th>chance</th>", page, StringComparison.Ordinal);
        Assert.Contains("±", page, StringComparison.Ordinal);
        Assert.Contains("(demo/", page, StringComparison.Ordinal);

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
