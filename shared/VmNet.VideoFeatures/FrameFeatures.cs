namespace VmNet.VideoFeatures;

/// <summary>The CNN rows of one video's sampled frames ([Count × Dimension], row-major) and its colour statistics.</summary>
public sealed record FrameFeatures(float[] Values, int Count, int Dimension, ColourStatistics Colour)
{
    public ReadOnlySpan<float> Row(int index) => Values.AsSpan(index * Dimension, Dimension);
}
