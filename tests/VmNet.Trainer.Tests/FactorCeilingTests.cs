using MathNet.Numerics.LinearAlgebra;
using VmNet.Bench;
using VmNet.Commands;
using VmNet.Corpus;
using VmNet.Media;
using VmNet.Training;

namespace VmNet.Trainer.Tests;

/// <summary>
/// The factor ceiling of <c>vmnet bench tune</c> (<see cref="FactorCeiling"/>): features that carry the factors give a
/// near-perfect matcher, features that carry nothing give chance, and what it reports is measured on held-out rows.
/// </summary>
public sealed class FactorCeilingTests
{
    [Fact]
    public void FeaturesThatCarryTheFactorsMatchAlmostPerfectly()
    {
        var (corpus, factors) = Synthetic(signal: true, seed: 3);

        var result = FactorCeiling.Evaluate(corpus, factors);

        Assert.True(result.Test.VideoToMusic.At(1) >= 0.9, $"v→m R@1 {result.Test.VideoToMusic.At(1)}");
        Assert.True(result.Test.MusicToVideo.At(1) >= 0.9, $"m→v R@1 {result.Test.MusicToVideo.At(1)}");
        Assert.All(result.MusicR2.Concat(result.VideoR2), r2 => Assert.True(r2 > 0.9, $"validation R² {r2}"));
    }

    [Fact]
    public void FeaturesThatCarryNothingScoreAboutChanceAndNoHeldOutFit()
    {
        var (corpus, factors) = Synthetic(signal: false, seed: 4);

        var result = FactorCeiling.Evaluate(corpus, factors);

        // 60 test pairs: chance R@1 is 1/60, median rank 30.5. Ridge over 400 noise columns fits the 180 training rows
        // perfectly at a small ridge, so an R² measured on them would be near 1; on validation it is at most noise.
        Assert.True(result.Test.VideoToMusic.At(1) <= 0.1, $"v→m R@1 {result.Test.VideoToMusic.At(1)}");
        Assert.True(result.Test.VideoToMusic.MedianRank >= 15, $"v→m median rank {result.Test.VideoToMusic.MedianRank}");
        Assert.All(result.MusicR2.Concat(result.VideoR2), r2 => Assert.True(r2 < 0.2, $"validation R² {r2}"));
    }

    [Fact]
    public void TheRenderingParametersOfTheGeneratedCorporaCarryTheSharedFactors()
    {
        // Planned only (nothing rendered): 300 pairs of each corpus style, split as bench tune splits.
        foreach (var style in new[] { CorpusStyle.Classic, CorpusStyle.Neon })
        {
            var manifest = CorpusGenerator.Plan(new CorpusOptions { OutputDirectory = Path.GetTempPath(), Pairs = 300, MusicOnly = 0, VideoOnly = 0, Style = style });
            var items = manifest.OfKind(CorpusItemKind.Pair).ToDictionary(i => i.Id);
            var corpus = PairCorpus.BuildWithExactShares(
                items.Keys.Select(id => new FeaturePair(id, [0f], [0f])), 0.2, 0.2);

            var result = FactorCeiling.Evaluate(FactorCeiling.RenderingCorpus(corpus, items), items.ToDictionary(p => p.Key, p => p.Value.Factors));

            // Each side's parameters are its factors plus that side's noise: continuous factors are nearly linear in them.
            foreach (var i in new[] { 0, 2, 3, 4, 5 })
            {
                Assert.True(result.MusicR2[i] > 0.7 && result.VideoR2[i] > 0.7, $"{style} {FactorCeiling.Factors[i]}: R² {result.MusicR2[i]:0.00} / {result.VideoR2[i]:0.00}");
            }

            Assert.True(result.Test.VideoToMusic.At(1) >= 0.4 && result.Test.MusicToVideo.At(1) >= 0.4, $"{style}: R@1 {result.Test.VideoToMusic.At(1)} / {result.Test.MusicToVideo.At(1)}");
        }
    }

    [Fact]
    public void EuclideanRanksCountGalleryRowsAtLeastAsCloseAsTheOwnPartner()
    {
        var queries = Matrix<double>.Build.DenseOfRowArrays([0.0, 0.0], [10.0, 0.0], [0.0, 5.0]);
        var gallery = Matrix<double>.Build.DenseOfRowArrays([0.0, 1.0], [0.0, 0.0], [0.0, 4.0]);

        // Query 0: its own (distance 1) is beaten by gallery 1 (distance 0). Query 1: own at distance 10, gallery 2 at
        // √116 ≈ 10.8 and gallery 0 at √101 ≈ 10.05 are farther. Query 2: own at 1, gallery 0 at 4 and 1 at 5 are farther.
        Assert.Equal([2, 1, 1], FactorCeiling.EuclideanRanks(queries, gallery));
    }

    [Fact]
    public async Task GeneratorItemsAreTheCorpusFilesMatchedByContentOrNoneAtAll()
    {
        var data = Directory.CreateTempSubdirectory("vmnet-ceiling-").FullName;
        var ct = TestContext.Current.CancellationToken;
        try
        {
            var manifest = CorpusGenerator.Plan(new CorpusOptions { OutputDirectory = Path.Combine(data, "corpus"), Pairs = 3, MusicOnly = 0, VideoOnly = 0 });
            Directory.CreateDirectory(manifest.Directory);
            File.WriteAllBytes(Path.Combine(manifest.Directory, CorpusManifest.FileName), manifest.ToJsonBytes());
            var pairs = manifest.OfKind(CorpusItemKind.Pair).ToList();
            foreach (var item in pairs)
            {
                File.WriteAllText(manifest.PathOf(item), "stand-in bytes of " + item.Id);
            }

            var ids = pairs.Select(i => MediaId.OfBytes(System.Text.Encoding.UTF8.GetBytes("stand-in bytes of " + i.Id))).ToList();
            var log = new List<string>();

            var found = await TuneBench.GeneratorItemsAsync(null, data, ids, log.Add, ct);

            Assert.NotNull(found);
            Assert.Equal(pairs, ids.Select(id => found[id]));
            Assert.Empty(log);

            // A pair of another corpus whose file has the same name but other bytes: no ceiling rather than wrong factors.
            File.WriteAllText(manifest.PathOf(pairs[0]), "another corpus's pair-00000");
            Assert.Null(await TuneBench.GeneratorItemsAsync(null, data, ids, log.Add, ct));
            Assert.Contains("is not a file of the corpus", Assert.Single(log));

            // No corpus folder and none named: no ceiling, quietly. A named one that is missing: the user's mistake.
            Assert.Null(await TuneBench.GeneratorItemsAsync(null, Path.Combine(data, "nothing"), ids, log.Add, ct));
            await Assert.ThrowsAsync<UsageException>(() => TuneBench.GeneratorItemsAsync(Path.Combine(data, "nothing"), data, ids, log.Add, ct));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    // 300 pairs (180 / 60 / 60). With a signal, each side's 400 features are a fixed random mix of the ten factor
    // targets plus a little noise (a different mix per side); without, they are noise alone.
    private static (PairCorpus Corpus, Dictionary<string, LatentFactors> Factors) Synthetic(bool signal, int seed)
    {
        var random = new Random(seed);
        const int p = 400;
        var t = FactorCeiling.Factors.Count;
        var mixMusic = Enumerable.Range(0, t * p).Select(_ => random.NextDouble() - 0.5).ToArray();
        var mixVideo = Enumerable.Range(0, t * p).Select(_ => random.NextDouble() - 0.5).ToArray();
        var pairs = new List<FeaturePair>();
        var factors = new Dictionary<string, LatentFactors>();
        for (var i = 0; i < 300; i++)
        {
            var f = new LatentFactors(60 + (140 * random.NextDouble()), random.Next(12), random.NextDouble() < 0.5,
                random.NextDouble(), random.NextDouble(), random.NextDouble(), random.NextDouble());
            var targets = FactorCeiling.Targets(f);
            targets[0] *= 3; // log tempo spans ~1.2; scaled so every target moves the features about as much.
            float[] Features(double[] mix) => [.. Enumerable.Range(0, p).Select(c =>
                (float)((signal ? Enumerable.Range(0, t).Sum(j => mix[(j * p) + c] * targets[j]) : 0) + (0.02 * Gaussian(random))))];
            var id = $"pair-{i:D3}";
            pairs.Add(new FeaturePair(id, Features(mixMusic), Features(mixVideo)));
            factors[id] = f;
        }

        return (PairCorpus.BuildWithExactShares(pairs, 0.2, 0.2), factors);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
