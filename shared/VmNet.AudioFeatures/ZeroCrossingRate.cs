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
        var n = y.Length;
        // changes[j]: sign changes between consecutive samples up to sample j. Edge padding repeats the end samples,
        // which adds no change, so a frame counts the changes between the samples it covers inside the signal.
        var changes = new int[n];
        var previous = Negative(y[0]);
        for (var j = 1; j < n; j++)
        {
            var current = Negative(y[j]);
            changes[j] = changes[j - 1] + (current != previous ? 1 : 0);
            previous = current;
        }

        for (var t = 0; t < frames; t++)
        {
            var start = (t * hop) - pad;
            var first = Math.Clamp(start, 0, n - 1);
            var last = Math.Clamp(start + frameLength - 1, 0, n - 1);
            output[t] = (float)(changes[last] - changes[first]) / frameLength;
        }
    }

    private static bool Negative(float v) => Math.Abs(v) > Threshold && float.IsNegative(v);
}
