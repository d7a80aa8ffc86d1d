using Microsoft.Extensions.Logging.Abstractions;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.ModelFormat;
using VmNet.Search;

namespace VmNet.Search.Tests;

/// <summary>One catalogue item as the tests wrote it.</summary>
public sealed record WorldItem(string MediaId, MediaKind Kind, double DurationSeconds, double? TempoBpm, float[]? Music, float[]? Video);

/// <summary>
/// A small real world in a data directory: two model versions written as real ONNX branches, raw features in the
/// SQLite catalogue, embeddings in the embedded vector store. Nothing is faked; scores can be recomputed from it.
/// </summary>
public sealed class SearchWorld
{
    public const int MusicDim = VmNet.AudioFeatures.AudioFeatureLayout.TrackDimension;
    public const int VideoDim = 56;
    public const int EmbeddingDim = 16;

    private SearchWorld(string dataDir, IReadOnlyList<WorldItem> items)
    {
        DataDir = dataDir;
        Items = items;
    }

    public string DataDir { get; }

    public IReadOnlyList<WorldItem> Items { get; }

    public WorldItem First(MediaKind kind) => Items.First(i => i.Kind == kind);

    /// <summary>Writes model <paramref name="version"/> (seeded by its name) into the data directory's models folder.</summary>
    public static void WriteModel(string dataDir, string version, int seed, int videoDim = VideoDim)
    {
        var random = new Random(seed);
        var folder = Path.Combine(new DataDirectory(dataDir).Models, version);
        Directory.CreateDirectory(folder);
        BranchOnnx.Save(Branch(random, MusicDim, 32), Path.Combine(folder, "music.onnx"));
        BranchOnnx.Save(Branch(random, videoDim, 24), Path.Combine(folder, "video.onnx"));
        new ModelManifest(version, DateTimeOffset.UtcNow, MusicDim, videoDim, EmbeddingDim, "music.onnx", "video.onnx",
            new Dictionary<string, double> { ["val.R@10"] = 0.5 }).Save(folder);
    }

    /// <summary>Items with features drawn from <paramref name="seed"/>, catalogued and embedded into <paramref name="version"/>, which is made live.</summary>
    /// <param name="videoDim">The video features' length: the real extractor's, for tests that upload real clips.</param>
    public static async Task<SearchWorld> CreateAsync(string dataDir, IFeatureCatalogue catalogue, IVectorStore store, string version = "v1", int seed = 7, int videoDim = VideoDim)
    {
        WriteModel(dataDir, version, seed, videoDim);
        var random = new Random(seed);
        var items = new List<WorldItem>();
        MediaKind[] kinds = [MediaKind.Pair, MediaKind.Pair, MediaKind.Pair, MediaKind.Pair, MediaKind.Pair, MediaKind.Pair, MediaKind.Video, MediaKind.Video, MediaKind.Video, MediaKind.Music, MediaKind.Music, MediaKind.Music];
        foreach (var (kind, i) in kinds.Select((k, i) => (k, i)))
        {
            var id = MediaId.OfBytes(BitConverter.GetBytes(seed * 1000 + i));
            var music = kind == MediaKind.Video ? null : Values(random, MusicDim, 5f);
            var video = kind == MediaKind.Music ? null : Values(random, videoDim, 2f);
            double? tempo = music is null ? null : 80 + 10 * i;
            var item = new WorldItem(id, kind, 20 + 5 * i, tempo, music, video);
            items.Add(item);
            if (music is not null)
            {
                await catalogue.UpsertMusicAsync(id, kind, music, "test/1", item.DurationSeconds, tempo, CancellationToken.None);
            }

            if (video is not null)
            {
                await catalogue.UpsertVideoAsync(id, kind, video, "test/1", item.DurationSeconds, CancellationToken.None);
            }

            await catalogue.RecordMetadataAsync(id, MetadataOf(i), CancellationToken.None);
        }

        var world = new SearchWorld(dataDir, items);
        await world.EmbedAsync(store, version);
        await store.ActivateAsync(version, CancellationToken.None);
        return world;
    }

    /// <summary>Who item number <paramref name="i"/> is, as ingest would have recorded it.</summary>
    public static MediaMetadata MetadataOf(int i) => new(
        $"clip-{i}.mp4", $"Title {i}", $"Artist {i}", "Album", $"ext-{i}",
        System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("mood", i % 2 == 0 ? "calm" : "energetic"));

    /// <summary>Embeds every item with model <paramref name="version"/> into the generation of that name (not activated).</summary>
    public async Task EmbedAsync(IVectorStore store, string version)
    {
        using var model = Open(version);
        await store.CreateGenerationAsync(version, EmbeddingDim, CancellationToken.None);
        var records = new List<VectorRecord>();
        foreach (var (item, i) in Items.Select((item, i) => (item, i)))
        {
            // The labels travel with the vectors, as the embedder writes them from the catalogue.
            var labels = MetadataOf(i).Labels;
            if (item.Music is not null)
            {
                records.Add(new VectorRecord(item.MediaId, Modality.Music, model.EmbedMusic([item.Music])[0], item.Kind, item.DurationSeconds, item.TempoBpm, labels));
            }

            if (item.Video is not null)
            {
                records.Add(new VectorRecord(item.MediaId, Modality.Video, model.EmbedVideo([item.Video])[0], item.Kind, item.DurationSeconds, item.TempoBpm, labels));
            }
        }

        await store.UpsertAsync(version, records, CancellationToken.None);
    }

    public VmNet.Onnx.OnnxEmbeddingModel Open(string version) => VmNet.Onnx.OnnxEmbeddingModel.Load(Path.Combine(new DataDirectory(DataDir).Models, version));

    /// <summary>Cosine similarities of every music item to <paramref name="video"/> under a model, best first: the expected answer.</summary>
    public IReadOnlyList<(string MediaId, float Score)> ExpectedMusicFor(float[] video, string version)
    {
        using var model = Open(version);
        var query = model.EmbedVideo([video])[0];
        return [.. Items.Where(i => i.Music is not null)
            .Select(i => (i.MediaId, Score: Dot(query, model.EmbedMusic([i.Music!])[0])))
            .OrderByDescending(x => x.Score)];
    }

    /// <summary>Every other item with a <paramref name="modality"/> half, by cosine to this item's half under a model, best first.</summary>
    public IReadOnlyList<(string MediaId, float Score)> ExpectedSimilar(WorldItem item, Modality modality, string version)
    {
        using var model = Open(version);
        float[] Embed(WorldItem i) => VectorMath.Normalized(
            modality == Modality.Music ? model.EmbedMusic([i.Music!])[0] : model.EmbedVideo([i.Video!])[0], EmbeddingDim);
        var query = Embed(item);
        return [.. Items.Where(i => i.MediaId != item.MediaId && (modality == Modality.Music ? i.Music : i.Video) is not null)
            .Select(i => (i.MediaId, Score: Dot(query, Embed(i))))
            .OrderByDescending(x => x.Score)];
    }

    public static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();

    private static BranchGraph Branch(Random random, int inputDim, int hidden)
    {
        DenseLayer Layer(int i, int o, bool relu) => new(i, o, Values(random, i * o, 1f / MathF.Sqrt(i)), Values(random, o, 0.1f), relu);
        return new BranchGraph(
            Values(random, inputDim, 1f),
            [.. Enumerable.Range(0, inputDim).Select(_ => 1f + (float)random.NextDouble())],
            [Layer(inputDim, hidden, true), Layer(hidden, EmbeddingDim, false)],
            null,
            null);
    }

    private static float[] Values(Random random, int count, float scale) =>
        [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale)];
}
