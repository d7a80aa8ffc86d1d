namespace VmNet.Corpus;

/// <summary>
/// A style cluster: the means the latent factors of its items scatter around, plus categorical traits that
/// only it has on each side (chord progressions and a drum pattern; a shape and a stripe angle). The means
/// overlap between neighbouring styles on purpose, so that the cluster alone does not decide retrieval.
/// </summary>
public sealed record Style(
    int Id,
    string Name,
    double TempoBpm,
    double Register,
    double Timbre,
    double Percussiveness,
    double Loudness,
    double MinorProbability,
    IReadOnlyList<int> Keys,
    IReadOnlyList<int> Progressions,
    int Rhythm,
    ShapeKind Shape,
    double StripeAngle);

/// <summary>What the foreground shapes of a video look like.</summary>
public enum ShapeKind
{
    Circle,
    Square,
    Diamond,
    Ring,
    Cross,
    Triangle,
}

/// <summary>The fixed styles every corpus draws from, whatever its seed: corpora with different seeds share one distribution.</summary>
public static class StyleBook
{
    /// <summary>Spread of the continuous factors around their style's mean (factor units; tempo in BPM).</summary>
    public const double TempoSpread = 10;

    public const double FactorSpread = 0.1;

    public static IReadOnlyList<Style> Styles { get; } =
    [
        new(0, "ambient", 72, 0.55, 0.2, 0.08, 0.3, 0.5, [2, 9, 4], [0, 2], 0, ShapeKind.Circle, 0.0),
        new(1, "ballad", 80, 0.45, 0.4, 0.3, 0.45, 0.4, [0, 7, 5], [0, 3], 1, ShapeKind.Ring, 0.4),
        new(2, "lofi", 88, 0.35, 0.3, 0.6, 0.4, 0.6, [3, 10, 5], [3, 4], 2, ShapeKind.Square, 1.2),
        new(3, "orchestral", 96, 0.65, 0.7, 0.25, 0.55, 0.5, [2, 7, 0], [1, 5], 1, ShapeKind.Diamond, 2.0),
        new(4, "funk", 106, 0.4, 0.55, 0.7, 0.6, 0.3, [4, 9, 11], [4, 6], 3, ShapeKind.Cross, 0.8),
        new(5, "rock", 124, 0.4, 0.8, 0.75, 0.8, 0.3, [4, 9, 2], [5, 1], 4, ShapeKind.Triangle, 1.6),
        new(6, "techno", 130, 0.3, 0.5, 0.9, 0.75, 0.6, [9, 2, 7], [2, 6], 5, ShapeKind.Square, 2.6),
        new(7, "chiptune", 150, 0.8, 0.9, 0.5, 0.65, 0.2, [0, 5, 7], [0, 1], 6, ShapeKind.Diamond, 0.2),
    ];
}
