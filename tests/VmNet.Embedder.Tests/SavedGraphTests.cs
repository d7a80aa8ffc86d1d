using Microsoft.Data.Sqlite;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Testing;
using VmNet.Storage;

namespace VmNet.Embedder.Tests;

/// <summary>
/// The embedded store saves its HNSW graphs on a clean stop and loads them on the next start instead of
/// rebuilding; a saved graph is trusted only while it matches the database.
/// </summary>
public sealed class SavedGraphTests : IDisposable
{
    private const int Dim = 24;
    private readonly TempFolder _folder = new("graphs");

    private string DbPath => Path.Combine(_folder.Path, "vectors.db");

    private string MusicGraph => Path.Combine(EmbeddedVectorStore.GraphFolder(DbPath), "g1.music.usearch");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_clean_stop_saves_the_graphs_and_the_next_start_loads_them_with_the_same_answers()
    {
        var queries = Vectors(new Random(5), 20);
        List<string[]> before;
        using (var store = Open(out _))
        {
            await FillAsync(store, 400);
            before = await AnswersAsync(store, queries);
        }

        Assert.True(File.Exists(MusicGraph) && File.Exists(MusicGraph + ".keys"));
        using (var store = Open(out var log))
        {
            Assert.DoesNotContain(log.Messages, m => m.Contains("rebuilding", StringComparison.Ordinal));
            Assert.Equal(before, await AnswersAsync(store, queries));
            Assert.Equal(("g1", 400L, 400L), (await store.ListGenerationsAsync(Ct)).Select(g => (g.Generation, g.MusicCount, g.VideoCount)).Single());
        }
    }

    [Fact]
    public async Task The_first_write_after_a_load_drops_the_saved_graph_so_a_crash_rebuilds_with_nothing_lost()
    {
        using (var store = Open(out _))
        {
            await FillAsync(store, 200);
        }

        var store2 = Open(out _);
        var added = new VectorRecord("late", Modality.Music, Vectors(new Random(9), 1)[0], MediaKind.Music, 60, 120);
        await store2.UpsertAsync("g1", [added], Ct);
        Assert.False(File.Exists(MusicGraph), "the saved graph outlived a write");

        // A crash: store2 is never disposed, so nothing is saved; the next start rebuilds from SQLite.
        using var store3 = Open(out var log);
        Assert.Contains(log.Messages, m => m.Contains("rebuilding the graph of 201 vectors (no saved graph)", StringComparison.Ordinal));
        var hit = (await store3.SearchAsync(Modality.Music, added.Vector, 1, null, Ct)).Hits.Single();
        Assert.Equal("late", hit.MediaId);
        GC.KeepAlive(store2);
    }

    [Fact]
    public async Task A_saved_graph_that_does_not_match_the_database_is_rebuilt_not_trusted()
    {
        // Each stored vector, asked for, must come back as its own item: a graph whose keys name other items fails that.
        var stored = Vectors(new Random(1), 300);
        var probes = Enumerable.Range(0, 300).Where(i => i % 30 == 0).ToList();
        async Task AssertItemsFindThemselvesAsync(EmbeddedVectorStore store)
        {
            foreach (var i in probes)
            {
                Assert.Equal($"m{i:D4}", (await store.SearchAsync(Modality.Music, stored[i], 1, null, Ct)).Hits.Single().MediaId);
            }
        }

        using (var store = Open(out _))
        {
            await FillAsync(store, 300);
            await AssertItemsFindThemselvesAsync(store);
        }

        // Same ids, other order: every key now names another item's vector.
        var keys = File.ReadAllLines(MusicGraph + ".keys");
        File.WriteAllLines(MusicGraph + ".keys", keys.Reverse());
        using (var store = Open(out var log))
        {
            Assert.Contains(log.Messages, m => m.Contains("differs from the database's", StringComparison.Ordinal));
            await AssertItemsFindThemselvesAsync(store);
        }

        // A torn graph file (saved again first by a process that writes: a reader that rebuilt saves nothing).
        using (var store = Open(out _))
        {
            await FillAsync(store, 300);
        }

        var bytes = File.ReadAllBytes(MusicGraph);
        File.WriteAllBytes(MusicGraph, bytes[..(bytes.Length / 3)]);
        using (var store = Open(out var log))
        {
            Assert.Contains(log.Messages, m => m.Contains("rebuilding the graph of 300 vectors", StringComparison.Ordinal));
            await AssertItemsFindThemselvesAsync(store);
        }
    }

    [Fact]
    public async Task A_process_that_only_read_never_saves_a_graph()
    {
        // A writer that crashed (never disposed): no saved graph. A reader opens, rebuilds, answers and stops.
        var writer = Open(out _);
        await FillAsync(writer, 100);
        using (var reader = Open(out _))
        {
            Assert.Single((await reader.SearchAsync(Modality.Music, Vectors(new Random(3), 1)[0], 1, null, Ct)).Hits);
        }

        Assert.False(File.Exists(MusicGraph), "a read-only process saved its graph on exit (#13 item 14)");
        GC.KeepAlive(writer);
    }

    [Fact]
    public async Task A_saved_graph_one_write_behind_the_database_is_rebuilt()
    {
        using (var store = Open(out _))
        {
            await FillAsync(store, 600);
        }

        // The database moved on after the graph was saved (a writer that committed and crashed before it dropped the
        // saved files): one vector, at a key a sample of every second key misses, is now another.
        var replaced = VmNet.Catalogue.VectorMath.Normalized(Vectors(new Random(77), 1)[0], Dim);
        await using (var connection = new SqliteConnection($"Data Source={DbPath}"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE vectors SET vector = $v WHERE generation = 'g1' AND modality = $m AND media_id = 'm0001'";
            command.Parameters.AddWithValue("$v", System.Runtime.InteropServices.MemoryMarshal.AsBytes(replaced.AsSpan()).ToArray());
            command.Parameters.AddWithValue("$m", (int)Modality.Music);
            Assert.Equal(1, await command.ExecuteNonQueryAsync(Ct));
        }

        using var reopened = Open(out var log);

        Assert.Contains(log.Messages, m => m.Contains("rebuilding the graph of 600 vectors", StringComparison.Ordinal));
        var hit = (await reopened.SearchAsync(Modality.Music, replaced, 1, null, Ct)).Hits.Single();
        Assert.Equal("m0001", hit.MediaId);
        Assert.True(hit.Score > 0.999f, $"score {hit.Score}: the stale graph answered");
    }

    [Theory]
    [InlineData(VectorQuantization.Float32, VectorQuantization.Int8)]
    [InlineData(VectorQuantization.Int8, VectorQuantization.Float16)]
    public async Task A_graph_saved_with_another_quantisation_is_rebuilt_and_answers_stay_exact(VectorQuantization saved, VectorQuantization configured)
    {
        var queries = Vectors(new Random(5), 20);
        using (var store = Open(out _, saved))
        {
            await FillAsync(store, 300);
        }

        using (var store = Open(out var log, configured))
        {
            Assert.Contains(log.Messages, m => m.Contains($"the store is configured for {configured}", StringComparison.Ordinal));
            foreach (var q in queries)
            {
                var ann = (await store.SearchAsync(Modality.Music, q, 10, null, Ct)).Hits;
                var exact = (await store.SearchExactAsync(Modality.Music, q, 10, null, Ct)).Hits;
                Assert.Equal(exact.Select(h => (h.MediaId, h.Score)), ann.Select(h => (h.MediaId, h.Score)));
            }
        }
    }

    [Fact]
    public async Task A_takedown_leaves_no_copy_of_its_vectors_in_the_database_or_a_saved_graph()
    {
        var stored = Vectors(new Random(1), 300);
        using (var store = Open(out _))
        {
            await FillAsync(store, 300);
        }

        Assert.True(File.Exists(MusicGraph));
        var gone = stored[42];
        using (var store = Open(out _))
        {
            Assert.Equal(2, await store.DeleteMediaAsync(["m0042"], Ct));
            // The saved graph held the vector: it goes with the first delete, and this process saves none at its stop.
            Assert.False(File.Exists(MusicGraph));
        }

        Assert.False(File.Exists(MusicGraph));
        await using (var connection = new SqliteConnection($"Data Source={DbPath}"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM vectors WHERE media_id = 'm0042'";
            Assert.Equal(0L, (long)(await command.ExecuteScalarAsync(Ct))!);
        }

        // The bytes of the vector are nowhere in the database file (secure_delete zeroes freed pages), nor in any file
        // the store keeps.
        SqliteConnection.ClearAllPools();
        var needle = System.Runtime.InteropServices.MemoryMarshal.AsBytes(VectorMath.Normalized(gone, Dim).AsSpan()).ToArray();
        foreach (var file in Directory.EnumerateFiles(_folder.Path, "*", SearchOption.AllDirectories))
        {
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(needle) < 0, $"{file} still holds the removed vector");
        }

        using var reopened = Open(out var log);
        Assert.Contains(log.Messages, m => m.Contains("rebuilding the graph of 299 vectors", StringComparison.Ordinal));
        Assert.Null(await reopened.GetVectorAsync("g1", Modality.Music, "m0042", Ct));
        Assert.NotEqual("m0042", (await reopened.SearchAsync(Modality.Music, gone, 1, null, Ct)).Hits.Single().MediaId);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private EmbeddedVectorStore Open(out ListLogger<EmbeddedVectorStore> log, VectorQuantization quantization = VectorQuantization.Int8)
    {
        log = new ListLogger<EmbeddedVectorStore>();
        return new EmbeddedVectorStore(DbPath, new VectorStoreOptions { Quantization = quantization }, log);
    }

    private static async Task FillAsync(EmbeddedVectorStore store, int count)
    {
        await store.CreateGenerationAsync("g1", Dim, Ct);
        var music = Vectors(new Random(1), count).Select((v, i) => new VectorRecord($"m{i:D4}", Modality.Music, v, MediaKind.Pair, 30, 100));
        var video = Vectors(new Random(2), count).Select((v, i) => new VectorRecord($"m{i:D4}", Modality.Video, v, MediaKind.Pair, 30, 100));
        await store.UpsertAsync("g1", [.. music, .. video], Ct);
        await store.ActivateAsync("g1", Ct);
    }

    private static async Task<List<string[]>> AnswersAsync(EmbeddedVectorStore store, IEnumerable<float[]> queries)
    {
        var answers = new List<string[]>();
        foreach (var query in queries)
        {
            var result = await store.SearchAsync(Modality.Music, query, 5, null, Ct);
            answers.Add([.. result.Hits.Select(h => h.MediaId)]);
        }

        return answers;
    }

    private static List<float[]> Vectors(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, Dim).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray())];
}
