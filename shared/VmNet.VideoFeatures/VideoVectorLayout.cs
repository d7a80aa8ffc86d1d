namespace VmNet.VideoFeatures;

/// <summary>A named range of the video vector.</summary>
public sealed record VectorSegment(string Name, int Start, int Length, string Meaning);

/// <summary>
/// What the values of a video vector mean. Before a PCA is fitted the vector is L2(pooled CNN statistics),
/// block-major: [0, d) per-dimension mean of the frame features, [d, 2d) their standard deviation (how much the
/// picture changes), then the 1st…5th largest value of each dimension over the frames (d = 512 for ResNet18,
/// 3584 values in all). Once fitted the vector is a PCA of the whitened statistics: its components are ordered by
/// variance over the training videos but no longer name a statistic. Colour and brightness are reported apart,
/// in <see cref="ColourStatistics"/>.
/// </summary>
public sealed record VideoVectorLayout(int Dimension, bool Whitened, IReadOnlyList<VectorSegment> Segments)
{
    public static VideoVectorLayout For(int dimension, int frameDimension, bool whitened)
    {
        if (whitened)
        {
            return new VideoVectorLayout(dimension, true,
                [new VectorSegment("pca", 0, dimension, "PCA components of the whitened frame statistics, by decreasing variance")]);
        }

        var segments = StatisticsPooling.BlockNames
            .Select((name, b) => new VectorSegment(name, b * frameDimension, frameDimension, Meaning(name)))
            .ToList();
        return new VideoVectorLayout(dimension, false, segments);
    }

    private static string Meaning(string block) => block switch
    {
        "mean" => "mean of each CNN feature over the sampled frames",
        "std" => "standard deviation of each CNN feature over the frames (visual change)",
        _ => $"{block[3..]}. largest value of each CNN feature over the frames",
    };
}
