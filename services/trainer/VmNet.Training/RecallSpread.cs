using System.Text.Json.Nodes;

namespace VmNet.Training;

/// <summary>
/// Mean and sample standard deviation (n − 1 in the denominator; 0 for a single run) of every figure over runs
/// that differ only in their seed, on the same test split.
/// </summary>
public sealed record RecallSpread(RecallReport Mean, RecallReport Sd, int Runs)
{
    public static RecallSpread Of(IReadOnlyList<RecallReport> runs)
    {
        if (runs.Count == 0)
        {
            throw new ArgumentException("no runs to summarise");
        }

        var v2m = Summarise([.. runs.Select(r => r.VideoToMusic)]);
        var m2v = Summarise([.. runs.Select(r => r.MusicToVideo)]);
        return new RecallSpread(new RecallReport(v2m.Mean, m2v.Mean), new RecallReport(v2m.Sd, m2v.Sd), runs.Count);
    }

    /// <summary>One direction: <c>{"R@1":mean,..,"medianRank":mean,"sd":{"R@1":..,..,"medianRank":..}}</c>.</summary>
    public static JsonObject DirectionJson(DirectionRecall mean, DirectionRecall sd)
    {
        var json = mean.ToJson();
        json["sd"] = sd.ToJson();
        return json;
    }

    /// <summary><c>{"videoToMusic":{..},"musicToVideo":{..}}</c>, each with its <c>sd</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["videoToMusic"] = DirectionJson(Mean.VideoToMusic, Sd.VideoToMusic),
        ["musicToVideo"] = DirectionJson(Mean.MusicToVideo, Sd.MusicToVideo),
    };

    private static (DirectionRecall Mean, DirectionRecall Sd) Summarise(IReadOnlyList<DirectionRecall> runs)
    {
        var ks = runs[0].Ks;
        if (runs.Any(r => !r.Ks.SequenceEqual(ks)))
        {
            throw new ArgumentException("runs measured different K");
        }

        var means = new List<double>();
        var sds = new List<double>();
        for (var i = 0; i < ks.Count; i++)
        {
            var (m, s) = MeanSd([.. runs.Select(r => r.Recalls[i])]);
            means.Add(m);
            sds.Add(s);
        }

        var (rank, rankSd) = MeanSd([.. runs.Select(r => r.MedianRank)]);
        return (new DirectionRecall(ks, means, rank, runs[0].Queries), new DirectionRecall(ks, sds, rankSd, runs[0].Queries));
    }

    private static (double Mean, double Sd) MeanSd(double[] values)
    {
        var mean = values.Average();
        var sd = values.Length < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        return (mean, sd);
    }
}
