namespace VmNet.AudioFeatures;

/// <summary>librosa 0.5.1 <c>rmse(y, frame_length, hop_length)</c>: time-domain RMS of centred frames, reflect padding.</summary>
public static class FrameRms
{
    public static void Compute(ReadOnlySpan<float> y, int frameLength, int hop, Span<float> output)
    {
        var frames = 1 + (y.Length / hop);
        var pad = frameLength / 2;
        for (var t = 0; t < frames; t++)
        {
            var sum = 0.0;
            for (var i = 0; i < frameLength; i++)
            {
                double v = y[Stft.Reflect((t * hop) - pad + i, y.Length)];
                sum += v * v;
            }

            output[t] = (float)Math.Sqrt(sum / frameLength);
        }
    }
}
