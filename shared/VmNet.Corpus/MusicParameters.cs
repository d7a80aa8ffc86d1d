namespace VmNet.Corpus;

/// <summary>
/// What a track is rendered from: its item's factors after music-only noise, plus the style's progression and
/// drum pattern. <see cref="NoiseSeed"/> fixes everything else (drum noise, where in the bar the track starts).
/// <see cref="Instrument"/> comes from the corpus style (pad for classic, pluck for neon).
/// </summary>
public sealed record MusicParameters(
    double TempoBpm,
    int Key,
    bool Minor,
    double Register,
    double Timbre,
    double Percussiveness,
    double Loudness,
    double TargetRmsDbfs,
    int Progression,
    int Rhythm,
    long NoiseSeed,
    Instrument Instrument = Instrument.Pad)
{
    /// <summary>Quietest and loudest track level (RMS, dB full scale) for loudness 0 and 1.</summary>
    public const double QuietestDbfs = -34;

    public const double LoudestDbfs = -12;

    public static MusicParameters From(LatentFactors factors, Style style, CorpusStyle corpus, SplitMix64 random)
    {
        // The neon recipe lets the sound wander further from the shared factors than the classic one.
        var neon = corpus == CorpusStyle.Neon;
        var noise = neon ? 0.1 : 0.08;
        var loudness = LatentFactors.Unit(factors.Loudness + random.Normal(0, 0.07));
        return new(
            LatentFactors.Round(Math.Clamp(factors.TempoBpm * random.Normal(1, neon ? 0.06 : 0.04), 45, 220)),
            // Now and then a track sits a fifth away from where the picture suggests.
            random.NextDouble() < 0.1 ? (factors.Key + (random.NextDouble() < 0.5 ? 7 : 5)) % 12 : factors.Key,
            factors.Minor,
            LatentFactors.Unit(factors.Register + random.Normal(0, noise)),
            LatentFactors.Unit(factors.Timbre + random.Normal(0, noise)),
            LatentFactors.Unit(factors.Percussiveness + random.Normal(0, noise)),
            loudness,
            Math.Round(QuietestDbfs + ((LoudestDbfs - QuietestDbfs) * loudness), 2),
            style.Progressions[random.Next(style.Progressions.Count)],
            style.Rhythm,
            (long)(random.NextUInt64() >> 11),
            neon ? Instrument.Pluck : Instrument.Pad);
    }
}
