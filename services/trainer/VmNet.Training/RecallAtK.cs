using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace VmNet.Training;

/// <summary>Recall@K and median rank of one retrieval direction.</summary>
public sealed record DirectionRecall(IReadOnlyList<int> Ks, IReadOnlyList<double> Recalls, double MedianRank, int Queries)
{
    public double At(int k) => Recalls[Ks.ToList().IndexOf(k)];

    /// <summary><c>{"R@1":..,"R@10":..,...,"medianRank":..}</c>.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        for (var i = 0; i < Ks.Count; i++)
        {
            json[$"R@{Ks[i]}"] = Recalls[i];
        }

        json["medianRank"] = MedianRank;
        return json;
    }
}

/// <summary>Both directions on one set of pairs.</summary>
public sealed record RecallReport(DirectionRecall VideoToMusic, DirectionRecall MusicToVideo)
{
    /// <summary>The gate's figure: R@10 averaged over both directions.</summary>
    public double MeanRecallAt10 => (VideoToMusic.At(10) + MusicToVideo.At(10)) / 2;

    /// <summary>Flat metrics under <paramref name="prefix"/>: "val.R@10", "val.v2m.R@1", "val.m2v.medianRank", ...</summary>
    public Dictionary<string, double> ToMetrics(string prefix)
    {
        var metrics = new Dictionary<string, double> { [$"{prefix}.R@10"] = MeanRecallAt10 };
        foreach (var (name, direction) in new[] { ("v2m", VideoToMusic), ("m2v", MusicToVideo) })
        {
            for (var i = 0; i < direction.Ks.Count; i++)
            {
                metrics[$"{prefix}.{name}.R@{direction.Ks[i]}"] = direction.Recalls[i];
            }

            metrics[$"{prefix}.{name}.medianRank"] = direction.MedianRank;
        }

        return metrics;
    }
}

/// <summary>
/// Cross-modal Recall@K: query i's true match is gallery item i; its rank is 1 + the number of gallery items
/// strictly more similar (cosine) than the match, so ties count in the query's favour. R@K is the share of
/// queries ranked ≤ K; the median rank is the middle rank (mean of the two middle ones for an even count).
/// </summary>
public static class RecallAtK
{
    public static IReadOnlyList<int> DefaultKs { get; } = [1, 10, 25, 50, 100];

    /// <summary>Ranks of each query's match; rows are embeddings, row-major, <paramref name="dim"/> wide.</summary>
    public static int[] Ranks(float[] queries, float[] gallery, int dim)
    {
        var n = queries.Length / dim;
        if (gallery.Length / dim != n || n == 0)
        {
            throw new ArgumentException($"queries ({n}) and gallery ({gallery.Length / dim}) must be the same non-zero number of pairs");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var q = nn.functional.normalize(tensor(queries, [n, dim]), p: 2, dim: 1);
        var g = nn.functional.normalize(tensor(gallery, [n, dim]), p: 2, dim: 1);
        var ranks = new int[n];
        const int block = 1024;
        for (var start = 0; start < n; start += block)
        {
            var end = Math.Min(n, start + block);
            var similarity = q[start..end].mm(g.t());
            var match = similarity.gather(1, arange(start, end, dtype: ScalarType.Int64).unsqueeze(1));
            var better = (similarity > match).sum(dim: 1, type: ScalarType.Int64);
            var counts = better.data<long>().ToArray();
            for (var i = 0; i < counts.Length; i++)
            {
                ranks[start + i] = (int)counts[i] + 1;
            }
        }

        return ranks;
    }

    public static DirectionRecall FromRanks(IReadOnlyList<int> ranks, IReadOnlyList<int>? ks = null)
    {
        ks ??= DefaultKs;
        var sorted = ranks.OrderBy(r => r).ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2.0;
        var recalls = ks.Select(k => ranks.Count(r => r <= k) / (double)ranks.Count).ToList();
        return new DirectionRecall(ks.ToList(), recalls, median, ranks.Count);
    }

    /// <summary>What a random ranking scores on <paramref name="n"/> pairs: R@K = min(K, n)/n, median rank (n+1)/2.</summary>
    public static RecallReport Chance(int n, IReadOnlyList<int>? ks = null)
    {
        ks ??= DefaultKs;
        var direction = new DirectionRecall(ks, [.. ks.Select(k => Math.Min(k, n) / (double)n)], (n + 1) / 2.0, n);
        return new RecallReport(direction, direction);
    }

    /// <summary>Both directions for pairs embedded as <paramref name="music"/> and <paramref name="video"/>.</summary>
    public static RecallReport Evaluate(float[] music, float[] video, int dim, IReadOnlyList<int>? ks = null) =>
        new(FromRanks(Ranks(video, music, dim), ks), FromRanks(Ranks(music, video, dim), ks));
}
