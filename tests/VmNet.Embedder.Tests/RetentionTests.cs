using System.Text.Json;
using Microsoft.Data.Sqlite;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Storage;
using VmNet.Testing;

namespace VmNet.Embedder.Tests;

/// <summary>
/// Generation retention (VectorStore:RetainGenerations, default 2) through the embedder role on the bus: after each
/// activation only the live generation and the two before it stay in memory, in the database, as saved graphs and as
/// model folders, and <c>vmnet models list</c> shows exactly those.
/// </summary>
public sealed class RetentionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RetrainingKeepsTheLiveGenerationAndTheTwoBeforeItInMemoryOnDiskAndInModelsList()
    {
        await using var h = await EmbedderHarness.StartAsync();
        for (var i = 0; i < 12; i++)
        {
            var id = EmbedderHarness.Id(i);
            await h.Catalogue.UpsertMusicAsync(id, MediaKind.Pair, EmbedderHarness.Features(i, TestModelFolders.MusicDim), "t", 30, 100, Ct);
            await h.Catalogue.UpsertVideoAsync(id, MediaKind.Pair, EmbedderHarness.Features(100 + i, TestModelFolders.VideoDim), "t", 30, Ct);
        }

        async Task PublishAsync(string version, int seed)
        {
            TestModelFolders.Write(h.ModelsRoot, version, seed);
            Assert.True(await h.PublishModelAsync(version) is not null, h.LastFailure);
        }

        await PublishAsync("v1", 1);
        await PublishAsync("v2", 2);
        await PublishAsync("v3", 3);
        await AssertKeptAsync(h, ["v1", "v2", "v3"], "v3", dropped: []);

        await PublishAsync("v4", 4);
        await AssertKeptAsync(h, ["v2", "v3", "v4"], "v4", dropped: ["v1"]);

        // A rollback keeps what it rolled back from (a roll forward may want it) and drops nothing older than it.
        Assert.True(await h.RequestActivationAsync("v2") is not null, h.LastFailure);
        await AssertKeptAsync(h, ["v2", "v3", "v4"], "v2", dropped: ["v1"]);

        await PublishAsync("v5", 5);
        await AssertKeptAsync(h, ["v3", "v4", "v5"], "v5", dropped: ["v1", "v2"]);

        // A dropped version is gone for good: activating it is refused, and v5 stays live.
        Assert.Null(await h.RequestActivationAsync("v1"));
        Assert.Equal("v5", h.Store.LiveGeneration);

        var (code, output) = await VmnetProcess.RunAsync(["models", "list", "--data", h.Data.Path, "--json"], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, output);
        using (var list = JsonDocument.Parse(output.Split('\n').Single(l => l.StartsWith('['))))
        {
            Assert.Equal(
                [("v3", false, 12L), ("v4", false, 12L), ("v5", true, 12L)],
                list.RootElement.EnumerateArray().Select(r => (r.GetProperty("version").GetString(), r.GetProperty("live").GetBoolean(), r.GetProperty("musicVectors").GetInt64())));
        }

        (code, output) = await VmnetProcess.RunAsync(["models", "list", "--data", h.Data.Path], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, output);
        Assert.Contains("the live generation and the 2 before it are kept", output, StringComparison.Ordinal);
        Assert.DoesNotContain("v1 ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LabelsFromTheCatalogueTravelWithTheVectorsAndFollowAReIngest()
    {
        await using var h = await EmbedderHarness.StartAsync();
        TestModelFolders.Write(h.ModelsRoot, "v1", seed: 1);
        Assert.True(await h.PublishModelAsync("v1") is not null, h.LastFailure);
        var calm = EmbedderHarness.Id(1);
        var loud = EmbedderHarness.Id(2);
        await IngestAsync(h, calm, "calm");
        await IngestAsync(h, loud, "loud");
        await h.PublishMusicAsync(calm, seed: 1);
        await h.PublishMusicAsync(loud, seed: 2);
        foreach (var id in new[] { calm, loud })
        {
            await h.ConsumedAsync<AudioFeaturesExtracted>(id);
            await h.ConsumedAsync<MediaIngested>(id);
        }

        var query = EmbedderHarness.Features(9, TestModelFolders.EmbeddingDim);
        Assert.Equal([calm], await FoundAsync(h, query, "calm"));
        Assert.Equal([loud], await FoundAsync(h, query, "loud"));

        // Re-ingested with another label: the vector already in the store carries the new set at once.
        await IngestAsync(h, calm, "loud");
        await h.ConsumedAsync<MediaIngested>(calm, count: 2);
        Assert.Empty(await FoundAsync(h, query, "calm"));
        Assert.Equal(new[] { calm, loud }.Order(StringComparer.Ordinal), (await FoundAsync(h, query, "loud")).Order(StringComparer.Ordinal));
    }

    // With its audio part on disk: the embedder records only what the parts back (a forged kind is dropped).
    private static Task IngestAsync(EmbedderHarness h, string id, string mood) =>
        h.Harness.Bus.Publish(
            h.Ingested(id, MediaKind.Music, metadata: new MediaMetadata("clip.mp3", Labels: new Dictionary<string, string> { ["mood"] = mood })),
            Ct);

    private static async Task<List<string>> FoundAsync(EmbedderHarness h, float[] query, string mood) =>
        [.. (await h.Store.SearchAsync(Modality.Music, query, 10, new SearchFilter(Labels: new Dictionary<string, string> { ["mood"] = mood }), Ct)).Hits.Select(x => x.MediaId)];

    private static async Task AssertKeptAsync(EmbedderHarness h, string[] kept, string live, string[] dropped)
    {
        // Memory: the store's generations (the embedded store lists what it holds in memory).
        var generations = await h.Store.ListGenerationsAsync(Ct);
        Assert.Equal(kept, generations.Select(g => g.Generation));
        Assert.Equal(live, Assert.Single(generations, g => g.IsLive).Generation);
        Assert.All(generations, g => Assert.Equal((12L, 12L), (g.MusicCount, g.VideoCount)));
        foreach (var version in dropped)
        {
            Assert.Null(await h.Store.GetVectorAsync(version, Modality.Music, EmbedderHarness.Id(0), Ct));
        }

        // Disk: rows in vectors.db, saved graphs and model folders.
        var data = new DataDirectory(h.Data.Path);
        var database = Path.Combine(data.Store, "vectors.db");
        using (var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT generation, COUNT(*) FROM vectors GROUP BY generation ORDER BY generation";
            using var reader = command.ExecuteReader();
            var rows = new List<(string, long)>();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1)));
            }

            Assert.Equal(kept.Order(StringComparer.Ordinal).Select(g => (g, 24L)), rows);
        }

        var graphs = EmbeddedVectorStore.GraphFolder(database);
        Assert.All(dropped, g => Assert.Empty(Directory.Exists(graphs) ? Directory.GetFiles(graphs, g + ".*") : []));
        Assert.Equal(kept, Directory.GetDirectories(data.Models).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
