namespace VmNet.AudioFeatures;

/// <summary>
/// librosa 0.5.1 <c>zero_crossing_rate(y, frame_length, hop_length)</c>: centred frames with edge padding, |y| ≤ 1e-10 counts as
/// +0, a crossing is a sign-bit change from the previous sample inside the frame; the rate divides by the full frame length.
/// </summary>
public static class ZeroCrossingRate
{
    public const double Threshold = 1e-10;

    public static void Compute(ReadOnlySpan<float> y, int frameLength, int hop, Span<float> output)
    {
        var frames = 1 + (y.Length / hop);
        var pad = frameLength / 2;
        for (var t = 0; t < frames; t++)
        {
            var start = (t * hop) - pad;
            var count = 0;
            var previous = Negative(y[Math.Clamp(start, 0, y.Length - 1)]);
            for (var i = 1; i < frameLength; i++)
            {
                var current = Negative(y[Math.Clamp(start + i, 0, y.Length - 1)]);
                count += current != previous ? 1 : 0;
                previous = current;
            }

            output[t] = (float)count / frameLength;
        }
    }

    private static bool Negative(float v) => Math.Abs(v) > Threshold && float.IsNegative(v);
}
