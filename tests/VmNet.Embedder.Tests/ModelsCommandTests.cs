using System.Text.Json;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Testing;
using VmNet.Storage;

namespace VmNet.Embedder.Tests;

/// <summary>The real <c>vmnet</c> executable on a data dir of its own.</summary>
public sealed class ModelsCommandTests
{
    [Fact]
    public async Task ActivateEmbedsTheLocalCatalogueAndListShowsTheLiveVersion()
    {
        using var data = new TempFolder("models-cli");
        var directory = new DataDirectory(data.Path);
        var catalogue = new SqliteFeatureCatalogue(directory);
        for (var i = 0; i < 5; i++)
        {
            await catalogue.UpsertMusicAsync(EmbedderHarness.Id(i), MediaKind.Music, EmbedderHarness.Features(i, TestModelFolders.MusicDim), "t", 30, 120, TestContext.Current.CancellationToken);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestModelFolders.Write(directory.Models, "v1", seed: 1);
        var timeout = TimeSpan.FromMinutes(2);

        var (code, output) = await VmnetProcess.RunAsync(["models", "activate", "v1", "--data", data.Path, "--json"], timeout);
        Assert.True(code == 0, output);
        using (var outcome = JsonDocument.Parse(JsonLine(output, '{')))
        {
            Assert.True(outcome.RootElement.GetProperty("activated").GetBoolean());
            Assert.Equal(5, outcome.RootElement.GetProperty("itemsEmbedded").GetInt32());
        }

        (code, output) = await VmnetProcess.RunAsync(["models", "list", "--data", data.Path, "--json"], timeout);
        Assert.True(code == 0, output);
        using (var list = JsonDocument.Parse(JsonLine(output, '[')))
        {
            var row = Assert.Single(list.RootElement.EnumerateArray());
            Assert.Equal(("v1", true, 5L), (row.GetProperty("version").GetString(), row.GetProperty("live").GetBoolean(), row.GetProperty("musicVectors").GetInt64()));
        }

        (code, output) = await VmnetProcess.RunAsync(["models", "activate", "nope", "--data", data.Path], timeout);
        Assert.Equal(1, code);
        Assert.Contains("v1 stays live", output, StringComparison.Ordinal);
    }

    // stdout and stderr arrive merged; the answer is the one line that is JSON.
    private static string JsonLine(string output, char start) =>
        output.Split('\n').Single(l => l.StartsWith(start));
}
