using System.Text;
using System.Text.Json;
using VmNet.Media;
using VmNet.Testing;

namespace VmNet.Ingest.Tests;

/// <summary>
/// <c>vmnet ingest --from</c> on the embedded default (the roles in the command's own process): a line is done once its
/// features are in the catalogue, the summary is the only thing on stdout, and a rerun sends nothing again.
/// </summary>
public sealed class BulkIngestEmbeddedTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task A_list_is_ingested_into_the_catalogue_and_a_rerun_finds_it_all_there()
    {
        using var folder = new TempFolder("bulk-embedded");
        var clips = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            clips.Add(await TestMedia.MusicVideoAsync(folder.File($"c{i}.mp4"), seconds: 2, frequency: 300 + (100 * i)));
        }

        // Outside every media root (the working directory is elsewhere): the operator's own list names them.
        await File.WriteAllTextAsync(
            folder.File("list.txt"),
            "c0.mp4\nc1.mp4,shop:1,mood=calm\n# again, by its full path\n" + clips[0] + "\nmissing.mp4\n" + clips[2] + "\n",
            TestContext.Current.CancellationToken);
        var data = folder.File("data");
        string[] arguments = ["ingest", "--from", folder.File("list.txt"), "--json", "--data", data, "--concurrency", "2"];

        var (exit, stdout, stderr) = await RunAsync(arguments);

        Assert.True(exit == 1, stderr);
        var summary = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal((5, 3, 1, 1), (summary.GetProperty("lines").GetInt32(), summary.GetProperty("ingested").GetInt32(),
            summary.GetProperty("alreadyThere").GetInt32(), summary.GetProperty("failed").GetInt32()));
        var failure = Assert.Single(summary.GetProperty("failures").EnumerateArray());
        Assert.Equal(5, failure.GetProperty("line").GetInt32());
        Assert.Contains("media roots", failure.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("ingest: line", stderr, StringComparison.Ordinal);

        var (listExit, listed, listError) = await RunAsync(["catalogue", "list", "--json", "--data", data]);
        Assert.True(listExit == 0, listError);
        var items = JsonDocument.Parse(listed).RootElement.EnumerateArray().ToList();
        var expected = new List<string>();
        foreach (var clip in clips)
        {
            expected.Add(await MediaId.OfFileAsync(clip, CancellationToken.None));
        }

        Assert.Equal(expected.Order(), items.Select(i => i.GetProperty("mediaId").GetString()!).Order());
        Assert.Contains(items, i => i.TryGetProperty("externalId", out var id) && id.GetString() == "shop:1");

        (exit, stdout, stderr) = await RunAsync(arguments);

        Assert.True(exit == 1, stderr);
        summary = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal((0, 4, 1), (summary.GetProperty("ingested").GetInt32(), summary.GetProperty("alreadyThere").GetInt32(), summary.GetProperty("failed").GetInt32()));
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string[] args)
    {
        var result = await ProcessRunner.RunAsync(
            "dotnet", [VmnetProcess.HostDll, .. args], Timeout, CancellationToken.None, captureStdout: true, workingDirectory: AppContext.BaseDirectory);
        return (result.ExitCode, Encoding.UTF8.GetString(result.StandardOutput), result.StandardError);
    }
}
