using VmNet.VideoFeatures;

namespace VmNet.VideoFeatures.Tests;

public sealed class PoolingTests
{
    [Fact]
    public void Pools_mean_std_and_order_statistics_per_dimension()
    {
        // 3 frames × 2 dimensions.
        float[] frames = [1, 10, 4, 20, 7, 60];

        var pooled = StatisticsPooling.Pool(frames, 3, 2);

        // mean | std (population) | top1 | top2 | top3 | top4 | top5 (missing ranks repeat the smallest).
        float[] expected =
        [
            4, 30,
            (float)Math.Sqrt(6), (float)Math.Sqrt(1400.0 / 3),
            7, 60,
            4, 20,
            1, 10,
            1, 10,
            1, 10,
        ];
        Assert.Equal(expected.Length, pooled.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], pooled[i], 1e-5f);
        }
    }

    [Fact]
    public void Order_statistics_keep_the_five_largest_in_order()
    {
        float[] frames = [3, 9, 1, 7, 5, 8, 2];

        var pooled = StatisticsPooling.Pool(frames, 7, 1);

        Assert.Equal([9f, 8f, 7f, 5f, 3f], pooled[2..]);
    }

    [Fact]
    public void Whitening_pca_decorrelates_to_unit_variance()
    {
        // Correlated 2-d data: x2 = 2·x1 + small noise; the whitened projection must have identity covariance.
        var random = new Random(7);
        var rows = Enumerable.Range(0, 400).Select(_ =>
        {
            var a = (float)random.NextDouble();
            return new[] { a, (2 * a) + (0.5f * (float)random.NextDouble()), 1 - a };
        }).ToList();

        var wpca = LinearProjection.FromRows(rows, 2, whiten: true);
        var projected = rows.Select(r => wpca.Apply(r)).ToList();

        Assert.Equal(2, wpca.OutputDimension);
        for (var i = 0; i < 2; i++)
        {
            for (var j = 0; j < 2; j++)
            {
                var cov = projected.Sum(p => (double)p[i] * p[j]) / (projected.Count - 1);
                if (i == j)
                {
                    // 1/√(λ + ε) with ε = 1e-4·λ₁ leaves a weak direction just under unit variance.
                    Assert.InRange(cov, 0.98, 1.0 + 1e-6);
                }
                else
                {
                    Assert.Equal(0.0, cov, 4);
                }
            }
        }
    }

    [Fact]
    public void Gram_and_covariance_routes_agree()
    {
        // Fewer rows than dimensions takes the Gram route; the same rows padded with copies take the covariance route.
        var random = new Random(11);
        var rows = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble()).ToArray()).ToList();

        var gram = LinearProjection.FromRows(rows, 3, whiten: false);
        var covariance = LinearProjection.FromRows([.. rows, .. rows], 3, whiten: false);

        for (var i = 0; i < gram.Matrix.Length; i++)
        {
            Assert.Equal(gram.Matrix[i], covariance.Matrix[i], 1e-4f);
        }
    }
}
