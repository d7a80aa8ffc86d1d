using System.Text;
using System.Text.Json;
using VmNet.Media;
using VmNet.Testing;

namespace VmNet.Ingest.Tests;

/// <summary><c>vmnet catalogue list / show</c> on what <c>vmnet ingest</c> stored, through the real binary.</summary>
public sealed class CatalogueCommandTests
{
    [Fact]
    public async Task An_ingested_item_is_listed_by_label_and_shown_by_external_id()
    {
        using var folder = new TempFolder("cli-catalogue");
        var data = folder.File("data");
        var calm = await TestMedia.MusicVideoAsync(folder.File("calm.mp4"), seconds: 2);
        var dark = await TestMedia.MusicVideoAsync(folder.File("dark.mp4"), seconds: 2, frequency: 660);
        var tagged = await TestMedia.TaggedAsync(calm, folder.File("tagged.mp4"), new Dictionary<string, string> { ["title"] = "Calm Song", ["artist"] = "Someone" });
        Assert.Equal(0, (await RunAsync(folder.Path, "ingest", tagged, "--external-id", "cat-1", "--label", "mood=calm", "--data", data)).Exit);
        Assert.Equal(0, (await RunAsync(folder.Path, "ingest", dark, "--external-id", "cat-2", "--label", "mood=dark", "--data", data)).Exit);

        var (exit, stdout, stderr) = await RunAsync(folder.Path, "catalogue", "list", "--label", "mood=calm", "--json", "--data", data);

        Assert.True(exit == 0, stderr);
        using var list = JsonDocument.Parse(stdout);
        var item = Assert.Single(list.RootElement.EnumerateArray());
        Assert.Equal(await MediaId.OfFileAsync(tagged, CancellationToken.None), item.GetProperty("mediaId").GetString());
        Assert.Equal("cat-1", item.GetProperty("externalId").GetString());
        Assert.Equal("Calm Song", item.GetProperty("title").GetString());
        Assert.Equal("ready", item.GetProperty("status").GetString());
        // No model is live yet: features stored, nothing embedded.
        Assert.True(item.GetProperty("music").GetProperty("hasFeatures").GetBoolean());
        Assert.False(item.GetProperty("music").GetProperty("embedded").GetBoolean());

        (exit, stdout, stderr) = await RunAsync(folder.Path, "catalogue", "show", "--external-id", "cat-2", "--data", data);
        Assert.True(exit == 0, stderr);
        var lines = stdout.TrimEnd().Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Contains("dark.mp4  external id cat-2  mood=dark", lines[0], StringComparison.Ordinal);
        Assert.Contains("music: features (", lines[2], StringComparison.Ordinal);

        (exit, stdout, stderr) = await RunAsync(folder.Path, "catalogue", "show", "--external-id", "cat-3", "--data", data);
        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.Equal("vmnet: no media with external id cat-3 in the catalogue", stderr.TrimEnd());
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string workingDirectory, params string[] args)
    {
        var result = await ProcessRunner.RunAsync(
            "dotnet", [VmnetProcess.HostDll, .. args], TimeSpan.FromMinutes(3), CancellationToken.None, captureStdout: true, workingDirectory: workingDirectory);
        return (result.ExitCode, Encoding.UTF8.GetString(result.StandardOutput), result.StandardError);
    }
}
