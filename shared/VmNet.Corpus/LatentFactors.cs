namespace VmNet.Corpus;

/// <summary>
/// The hidden factors a music video's picture and sound share. Continuous factors are in [0, 1] except the
/// tempo (BPM) and the key (pitch class 0 = C … 11 = B).
/// </summary>
public sealed record LatentFactors(
    double TempoBpm,
    int Key,
    bool Minor,
    double Register,
    double Timbre,
    double Percussiveness,
    double Loudness)
{
    /// <summary>Draws an item's factors around its style's means, with the spreads of its book.</summary>
    public static LatentFactors Draw(Style style, StyleBook book, SplitMix64 random) => new(
        Round(Math.Clamp(random.Normal(style.TempoBpm, book.TempoSpread), 50, 200)),
        random.NextDouble() < 0.75 ? style.Keys[random.Next(style.Keys.Count)] : random.Next(12),
        random.NextDouble() < style.MinorProbability,
        Unit(random.Normal(style.Register, book.FactorSpread)),
        Unit(random.Normal(style.Timbre, book.FactorSpread)),
        Unit(random.Normal(style.Percussiveness, book.FactorSpread)),
        Unit(random.Normal(style.Loudness, book.FactorSpread)));

    // Factors are rounded before anything renders from them, so the manifest holds exactly what was rendered.
    internal static double Round(double value) => Math.Round(value, 4, MidpointRounding.ToEven);

    internal static double Unit(double value) => Round(Math.Clamp(value, 0, 1));
}
