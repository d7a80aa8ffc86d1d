namespace VmNet.VideoFeatures;

/// <summary>
/// Per-video statistics of frame features, per dimension: mean, standard deviation and the top-5 ordinal
/// statistics (the 5 largest values, largest first). The output is block-major — [mean(d) | std(d) | top1(d) |
/// … | top5(d)] — so block b of a d-dimensional input lies at [b·d, (b+1)·d).
/// </summary>
public static class StatisticsPooling
{
    public const int TopK = 5;

    /// <summary>Blocks in the pooled vector: mean, std, then <see cref="TopK"/> order statistics.</summary>
    public const int Blocks = 2 + TopK;

    public static readonly IReadOnlyList<string> BlockNames = ["mean", "std", "top1", "top2", "top3", "top4", "top5"];

    /// <summary>
    /// Pools <paramref name="frames"/> ([count × dimension], row-major) to <see cref="Blocks"/>·dimension values.
    /// The standard deviation is the population one (a one-frame video has 0). With fewer than
    /// <see cref="TopK"/> frames the missing order statistics repeat the smallest value.
    /// </summary>
    public static float[] Pool(ReadOnlySpan<float> frames, int count, int dimension)
    {
        if (count <= 0)
        {
            throw new ArgumentException("a video needs at least one frame", nameof(count));
        }

        if (frames.Length != count * dimension)
        {
            throw new ArgumentException($"{frames.Length} values are not {count} × {dimension}", nameof(frames));
        }

        var pooled = new float[Blocks * dimension];
        Span<float> top = stackalloc float[TopK];
        for (var j = 0; j < dimension; j++)
        {
            double sum = 0;
            for (var i = 0; i < count; i++)
            {
                sum += frames[(i * dimension) + j];
            }

            var mean = sum / count;
            double squares = 0;
            top.Fill(float.NegativeInfinity);
            for (var i = 0; i < count; i++)
            {
                var x = frames[(i * dimension) + j];
                squares += (x - mean) * (x - mean);
                InsertDescending(top, x);
            }

            var filled = Math.Min(count, TopK);
            for (var k = filled; k < TopK; k++)
            {
                top[k] = top[filled - 1];
            }

            pooled[j] = (float)mean;
            pooled[dimension + j] = (float)Math.Sqrt(squares / count);
            for (var k = 0; k < TopK; k++)
            {
                pooled[((2 + k) * dimension) + j] = top[k];
            }
        }

        return pooled;
    }

    private static void InsertDescending(Span<float> top, float x)
    {
        if (x <= top[^1])
        {
            return;
        }

        var k = top.Length - 1;
        while (k > 0 && top[k - 1] < x)
        {
            top[k] = top[k - 1];
            k--;
        }

        top[k] = x;
    }
}
