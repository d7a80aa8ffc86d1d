namespace VmNet.VideoFeatures;

/// <summary>
/// Cheap, human-readable picture statistics of a video's sampled frames, all in 0..1: mean red, green, blue,
/// brightness (Rec. 601 luma) with its standard deviation over all pixels, and mean saturation (HSV).
/// Search can show them beside a match ("dark, saturated, mostly blue").
/// </summary>
public sealed record ColourStatistics(
    double MeanRed,
    double MeanGreen,
    double MeanBlue,
    double MeanBrightness,
    double BrightnessStd,
    double MeanSaturation)
{
    public static ColourStatistics Empty { get; } = new(0, 0, 0, 0, 0, 0);
}

/// <summary>Sums rgb24 frames into <see cref="ColourStatistics"/>.</summary>
public sealed class ColourAccumulator
{
    private double _r, _g, _b, _y, _y2, _s;
    private long _pixels;

    public void Add(ReadOnlySpan<byte> rgb)
    {
        double r = 0, g = 0, b = 0, y = 0, y2 = 0, s = 0;
        for (var i = 0; i + 2 < rgb.Length; i += 3)
        {
            int red = rgb[i], green = rgb[i + 1], blue = rgb[i + 2];
            r += red;
            g += green;
            b += blue;
            var luma = (0.299 * red) + (0.587 * green) + (0.114 * blue);
            y += luma;
            y2 += luma * luma;
            var max = Math.Max(red, Math.Max(green, blue));
            var min = Math.Min(red, Math.Min(green, blue));
            s += max == 0 ? 0 : (max - min) / (double)max;
        }

        (_r, _g, _b, _y, _y2, _s) = (_r + r, _g + g, _b + b, _y + y, _y2 + y2, _s + s);
        _pixels += rgb.Length / 3;
    }

    public ColourStatistics Result()
    {
        if (_pixels == 0)
        {
            return ColourStatistics.Empty;
        }

        double n = _pixels;
        var meanY = _y / n;
        var variance = Math.Max((_y2 / n) - (meanY * meanY), 0);
        return new ColourStatistics(_r / n / 255, _g / n / 255, _b / n / 255, meanY / 255, Math.Sqrt(variance) / 255, _s / n);
    }
}
