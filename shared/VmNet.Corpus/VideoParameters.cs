namespace VmNet.Corpus;

/// <summary>
/// What a video is rendered from: its item's factors after video-only noise, mapped to things a CNN sees
/// at one frame per second. Key → hue (circle of fifths around the colour wheel), timbre → palette spread,
/// chroma and number of shapes, register → stripe frequency and shape size, percussiveness → hard edges,
/// grain and beat flashes, loudness → brightness, tempo → motion speed. <see cref="NoiseSeed"/> fixes the rest
/// (shape positions and directions, grain). The neon recipe (<see cref="Motif.Rings"/>) maps the key to hue
/// chromatically (C red, C♯ a twelfth further …) and a minor key to a paler picture, and draws rings whose
/// density is the register; its per-side noise is larger.
/// </summary>
public sealed record VideoParameters(
    double TempoBpm,
    double Hue,
    double HueSpread,
    double Chroma,
    double StripeCycles,
    double StripeAngle,
    double Hardness,
    double Grain,
    double Flash,
    double Brightness,
    double SpeedPerSecond,
    int ShapeCount,
    double ShapeSize,
    ShapeKind Shape,
    long NoiseSeed,
    Motif Motif = Motif.Stripes)
{
    public static VideoParameters From(LatentFactors factors, Style style, CorpusStyle corpus, SplitMix64 random)
    {
        var neon = corpus == CorpusStyle.Neon;
        var noise = neon ? 0.11 : 0.09;
        var tempo = Math.Clamp(factors.TempoBpm * random.Normal(1, neon ? 0.06 : 0.05), 45, 220);
        var register = Math.Clamp(factors.Register + random.Normal(0, noise), 0, 1);
        var timbre = Math.Clamp(factors.Timbre + random.Normal(0, noise), 0, 1);
        var percussiveness = Math.Clamp(factors.Percussiveness + random.Normal(0, noise), 0, 1);
        var loudness = Math.Clamp(factors.Loudness + random.Normal(0, 0.07), 0, 1);
        var hue = neon
            ? (factors.Key / 12.0) + random.Normal(0, 0.03)
            : (factors.Key * 7 % 12 / 12.0) + (factors.Minor ? 0.04 : 0) + random.Normal(0, 0.03);
        var minorChroma = neon ? 0.55 : 0.75;
        var r = LatentFactors.Round;
        return new(
            r(tempo),
            r(hue - Math.Floor(hue)),
            r(0.08 + (0.35 * timbre)),
            r((0.15 + (0.4 * timbre)) * (factors.Minor ? minorChroma : 1)),
            r(1.5 + (8 * register)),
            r(style.StripeAngle + random.Normal(0, 0.2)),
            r(1 + (14 * percussiveness)),
            r(0.02 + (0.3 * percussiveness)),
            r(0.05 + (0.35 * percussiveness)),
            r(0.15 + (0.75 * loudness)),
            // A twentieth of the frame per beat: at most ~0.2 frame widths between the 1 frame/s samples, so no aliasing.
            r(0.05 * tempo / 60),
            1 + (int)Math.Round(timbre * 6),
            r(0.16 - (0.09 * register)),
            style.Shape,
            (long)(random.NextUInt64() >> 11),
            neon ? Motif.Rings : Motif.Stripes);
    }
}
