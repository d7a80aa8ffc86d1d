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

/// <summary>
/// The fixed styles a corpus draws from, whatever its seed: corpora with different seeds share one distribution.
/// One book per <see cref="CorpusStyle"/>, each with the spread of its factors around their style's means.
/// </summary>
public sealed record StyleBook(CorpusStyle Corpus, IReadOnlyList<Style> Items, double TempoSpread, double FactorSpread)
{
    /// <summary>Spread of the continuous factors around their style's mean in the classic book (factor units; tempo in BPM).</summary>
    public const double ClassicTempoSpread = 10;

    public const double ClassicFactorSpread = 0.1;

    // Expression bodies: the style lists below are initialised after these lines in textual order.
    public static StyleBook Classic => new(CorpusStyle.Classic, Styles, ClassicTempoSpread, ClassicFactorSpread);

    /// <summary>Wider spreads than the classic book: neighbouring styles overlap more.</summary>
    public static StyleBook Neon => new(CorpusStyle.Neon, NeonStyles, 12, 0.14);

    public static StyleBook For(CorpusStyle style) => style == CorpusStyle.Neon ? Neon : Classic;

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

    /// <summary>
    /// The neon book: other tempo ranges (60 to 176 BPM), keys, progressions and drum patterns than the classic
    /// one. <see cref="Style.StripeAngle"/> is the direction the rings' centre drifts in.
    /// </summary>
    public static IReadOnlyList<Style> NeonStyles { get; } =
    [
        new(0, "drone", 60, 0.25, 0.35, 0.05, 0.35, 0.7, [1, 6, 8], [7, 8], 0, ShapeKind.Ring, 0.3),
        new(1, "reggae", 76, 0.5, 0.45, 0.55, 0.5, 0.3, [7, 0, 2], [9, 3], 7, ShapeKind.Circle, 1.0),
        new(2, "hiphop", 92, 0.3, 0.6, 0.8, 0.7, 0.6, [5, 10, 3], [8, 2], 8, ShapeKind.Square, 1.9),
        new(3, "synthpop", 112, 0.7, 0.85, 0.5, 0.6, 0.3, [0, 4, 7], [1, 7], 1, ShapeKind.Triangle, 0.6),
        new(4, "house", 122, 0.5, 0.4, 0.85, 0.75, 0.4, [9, 4, 11], [0, 9], 5, ShapeKind.Diamond, 2.7),
        new(5, "punk", 176, 0.45, 0.95, 0.9, 0.9, 0.2, [4, 9, 2], [5, 9], 9, ShapeKind.Cross, 2.2),
    ];
}
