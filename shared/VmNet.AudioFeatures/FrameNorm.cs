namespace VmNet.AudioFeatures;

/// <summary>librosa 0.5.1 <c>util.normalize(S, axis=0)</c> per frame of a row-major matrix; frames whose norm is below
/// float32's tiny are left as they are (fill=None).</summary>
public static class FrameNorm
{
    private const double Tiny = 1.17549435E-38;

    /// <summary>p = 1, 2 or <see cref="double.PositiveInfinity"/> (max).</summary>
    public static void Normalize(Span<float> matrix, int rows, double p)
    {
        var frames = matrix.Length / rows;
        for (var t = 0; t < frames; t++)
        {
            var length = 0.0;
            for (var r = 0; r < rows; r++)
            {
                var a = Math.Abs((double)matrix[(r * frames) + t]);
                length = double.IsPositiveInfinity(p) ? Math.Max(length, a) : p == 1 ? length + a : length + (a * a);
            }

            length = p == 2 ? Math.Sqrt(length) : length;
            if (length < Tiny)
            {
                continue;
            }

            for (var r = 0; r < rows; r++)
            {
                matrix[(r * frames) + t] = (float)(matrix[(r * frames) + t] / length);
            }
        }
    }
}
