using VmNet.Training;

namespace VmNet.Trainer.Tests;

/// <summary>The linear CCA baseline on cases small enough to work out by hand.</summary>
public sealed class CcaBaselineTests
{
    // Three centred, mutually orthogonal ±1 columns over 4 pairs: each has mean 0 and population std 1, so
    // standardising leaves them as they are and every sample covariance is 4/3 · (dot product / 4).
    private static readonly double[] Z = [1, -1, 1, -1];
    private static readonly double[] A = [1, 1, -1, -1];
    private static readonly double[] B = [1, -1, -1, 1];

    [Fact]
    public void The_shared_direction_is_found_and_its_correlation_is_shrunk_by_exactly_the_ridge()
    {
        // Music spans {z, a}; video is (b, 0.6z + 0.8a): the one direction both share is 0.6z + 0.8a.
        double[] shared = [.. Z.Select((z, i) => (0.6 * z) + (0.8 * A[i]))];
        var set = Pairs(Enumerable.Range(0, 4).Select(i => (new[] { Z[i], A[i] }, new[] { B[i], shared[i] })).ToList());

        var cca = CcaBaseline.Fit(set, new CcaOptions { PcaDims = 2, Components = 2, Regularisation = 0.1 });

        // Both covariances are (4/3)·I, the ridge 0.1·(4/3)·I, so whitening divides by 1.1·4/3 and the shared
        // direction's correlation 1 becomes 1/1.1; b is uncorrelated with all of music, so the second is 0.
        Assert.Equal(2, cca.Dim);
        // Features are float32, hence 6 places.
        Assert.Equal(1 / 1.1, cca.Correlations[0], 6);
        Assert.Equal(0, cca.Correlations[1], 6);

        // The first canonical variate of each side is (up to sign and scale) the shared direction.
        var music = cca.ProjectMusic(set.Music);
        var video = cca.ProjectVideo(set.Video);
        Assert.Equal(1, Math.Abs(Correlation(Column(music, 2, 0), shared)), 6);
        Assert.Equal(1, Math.Abs(Correlation(Column(video, 2, 0), shared)), 6);
        Assert.Equal(0, Correlation(Column(video, 2, 0), B), 6);
    }

    [Fact]
    public void Two_noisy_linear_views_of_the_same_factors_are_retrieved_perfectly()
    {
        var random = new Random(3);
        var toMusic = Gaussians(random, 6 * 30);
        var toVideo = Gaussians(random, 6 * 20);
        PairSet Views(int n)
        {
            var pairs = new List<(double[], double[])>();
            for (var i = 0; i < n; i++)
            {
                var z = Gaussians(random, 6);
                pairs.Add((View(z, toMusic, 30, random), View(z, toVideo, 20, random)));
            }

            return Pairs(pairs);
        }

        var train = Views(200);
        var test = Views(60);
        var cca = CcaBaseline.Fit(train, new CcaOptions { PcaDims = 16, Components = 6, Regularisation = 1e-3 });
        var report = cca.Evaluate(test);

        Assert.Equal(1.0, report.VideoToMusic.At(1));
        Assert.Equal(1.0, report.MusicToVideo.At(1));
        Assert.Equal(1.0, report.VideoToMusic.MedianRank);
        Assert.All(cca.Correlations, c => Assert.True(c > 0.99, $"correlation {c}"));
    }

    [Fact]
    public void Pca_and_component_counts_are_capped_by_the_data()
    {
        var random = new Random(5);
        // 5 pairs of 40/3 features: the centred data has rank 4, and video has only 3 dimensions.
        var set = Pairs([.. Enumerable.Range(0, 5).Select(_ => (Gaussians(random, 40), Gaussians(random, 3)))]);

        var cca = CcaBaseline.Fit(set, new CcaOptions { PcaDims = 32, Components = 16 });

        Assert.Equal(4, cca.MusicPcaDims);
        Assert.Equal(3, cca.VideoPcaDims);
        Assert.Equal(3, cca.Dim);
        Assert.Equal(5 * 3, cca.ProjectMusic(set.Music).Length);
        Assert.All(cca.Correlations, c => Assert.True(double.IsFinite(c) && c is >= 0 and <= 1 + 1e-9, $"correlation {c}"));
        Assert.Throws<ArgumentException>(() => CcaBaseline.Fit(Pairs([(new[] { 1.0 }, new[] { 2.0 })])));
        Assert.Throws<ArgumentException>(() => CcaBaseline.Fit(set, new CcaOptions { Components = 0 }));
    }

    private static PairSet Pairs(IReadOnlyList<(double[] Music, double[] Video)> rows) =>
        PairSet.Of(
            [.. rows.Select((r, i) => new FeaturePair($"p{i:D3}", [.. r.Music.Select(v => (float)v)], [.. r.Video.Select(v => (float)v)]))],
            rows[0].Music.Length,
            rows[0].Video.Length);

    private static double[] View(double[] z, double[] map, int dim, Random random) =>
        [.. Enumerable.Range(0, dim).Select(c => z.Select((f, i) => f * map[(i * dim) + c]).Sum() + (1e-3 * Gaussians(random, 1)[0]))];

    private static double[] Gaussians(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))];

    private static double[] Column(float[] rows, int dim, int column) =>
        [.. Enumerable.Range(0, rows.Length / dim).Select(r => (double)rows[(r * dim) + column])];

    private static double Correlation(double[] x, double[] y)
    {
        var (mx, my) = (x.Average(), y.Average());
        var cov = x.Select((v, i) => (v - mx) * (y[i] - my)).Sum();
        return cov / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));
    }
}
