using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Training;

namespace VmNet.Trainer.Tests;

/// <summary>
/// Pairs whose music and video features are different noisy linear views of shared hidden factors, so a trained
/// model can find a pair's partner and a random one cannot. Deterministic for a seed.
/// </summary>
public static class SyntheticPairs
{
    public static List<FeaturePair> Create(int count, int musicDim = 20, int videoDim = 12, int factors = 6, int seed = 7, double noise = 0.3)
    {
        var random = new Random(seed);
        var toMusic = Matrix(random, factors, musicDim);
        var toVideo = Matrix(random, factors, videoDim);
        var pairs = new List<FeaturePair>();
        for (var i = 0; i < count; i++)
        {
            var z = Enumerable.Range(0, factors).Select(_ => Gaussian(random)).ToArray();
            pairs.Add(new FeaturePair($"pair{i:D5}", View(random, z, toMusic, noise, offset: 5), View(random, z, toVideo, noise, offset: -2)));
        }

        return pairs;
    }

    public static InMemoryFeatureCatalogue Catalogue(IEnumerable<FeaturePair> pairs)
    {
        var catalogue = new InMemoryFeatureCatalogue();
        foreach (var pair in pairs)
        {
            catalogue.UpsertMusicAsync(pair.MediaId, MediaKind.Pair, pair.Music, "test-music", 30, null, default).GetAwaiter().GetResult();
            catalogue.UpsertVideoAsync(pair.MediaId, MediaKind.Pair, pair.Video, "test-video", 30, default).GetAwaiter().GetResult();
        }

        return catalogue;
    }

    /// <summary>Small, fast settings that still learn on these pairs.</summary>
    public static TrainingOptions TinyOptions(LossMode mode = LossMode.Combined, int epochs = 12) => new()
    {
        MusicHidden = [48, 32],
        VideoHidden = [32],
        EmbeddingDim = 16,
        BatchSize = 64,
        TopQ = 10,
        MaxEpochs = epochs,
        Patience = epochs,
        LearningRate = 3e-3,
        LossMode = mode,
        Seed = 11,
        Threads = 1,
    };

    private static float[][] Matrix(Random random, int rows, int cols) =>
        [.. Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, cols).Select(_ => (float)Gaussian(random)).ToArray())];

    private static float[] View(Random random, double[] z, float[][] map, double noise, double offset)
    {
        var cols = map[0].Length;
        var x = new float[cols];
        for (var c = 0; c < cols; c++)
        {
            double v = offset;
            for (var f = 0; f < z.Length; f++)
            {
                v += z[f] * map[f][c];
            }

            x[c] = (float)(v + (noise * Gaussian(random)));
        }

        return x;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
