namespace VmNet.Corpus;

/// <summary>
/// Which generator recipe renders a corpus. <see cref="Classic"/> is the demo's; <see cref="Neon"/> is a second,
/// differently made corpus for checking that a model's settings are not tuned to one generator: other styles
/// (tempo ranges, keys, progressions, drum patterns, wider overlap between styles), another instrument (plucked
/// odd-harmonic tones on sixteenths instead of a sustained pad) and another picture (concentric rings around a
/// drifting centre instead of scrolling stripes, the key mapped chromatically to hue instead of by fifths).
/// </summary>
public enum CorpusStyle
{
    Classic,
    Neon,
}

/// <summary>The sound an item's tonal part is played with.</summary>
public enum Instrument
{
    /// <summary>A wavetable pad with bass and an eighth-note arpeggio (classic).</summary>
    Pad,

    /// <summary>Plucked odd-harmonic tones: chord stabs, a bass on each beat and a sixteenth-note arpeggio (neon).</summary>
    Pluck,
}

/// <summary>The background pattern of a video.</summary>
public enum Motif
{
    /// <summary>Scrolling, slowly turning stripes (classic).</summary>
    Stripes,

    /// <summary>Concentric rings expanding from a drifting centre (neon).</summary>
    Rings,
}

public static class CorpusStyles
{
    /// <summary>Names as the command line takes them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetValues<CorpusStyle>().Select(Name)];

    public static string Name(CorpusStyle style) => style.ToString().ToLowerInvariant();

    /// <summary>Parses a style name (case-insensitive); null when it is not one.</summary>
    public static CorpusStyle? Parse(string? name) =>
        Enum.GetValues<CorpusStyle>().Select(s => (CorpusStyle?)s).FirstOrDefault(s => string.Equals(Name(s!.Value), name?.Trim(), StringComparison.OrdinalIgnoreCase));
}
