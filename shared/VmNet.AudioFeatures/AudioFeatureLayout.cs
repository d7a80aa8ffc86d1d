namespace VmNet.AudioFeatures;

/// <summary>One block of the 190 per-component features (librosa 0.5.1 recipe order).</summary>
public sealed record FeatureBlock(string Name, int Offset, int Size, string Meaning);

/// <summary>
/// Where every value of the 190 / 380 / 1140 vectors comes from, so other services can name what agrees
/// between two tracks. Vector index i: stat = i / 380 (mean, variance, max), row = i % 380,
/// component = row / 190 (harmonic, percussive), block = the block holding row % 190.
/// </summary>
public static class AudioFeatureLayout
{
    /// <summary>Bumped whenever any value the extractor produces changes.</summary>
    public const string ExtractorVersion = "vmnet-audio/2";

    public const int SampleRate = 12000;

    /// <summary>int(29.12 * 12000): the centre crop (or zero-padded length) every track is cut to.</summary>
    public const int ClipSamples = 349440;

    public const int HopLength = 256;

    /// <summary>Frames of the clip: 1 + 349440 / 256 centred frames.</summary>
    public const int Frames = 1 + (ClipSamples / HopLength);

    public const int PerComponent = 190;
    public const int PerFrame = 2 * PerComponent;
    public const int TrackDimension = 3 * PerFrame;

    public static IReadOnlyList<string> Components { get; } = ["harmonic", "percussive"];

    public static IReadOnlyList<string> Statistics { get; } = ["mean", "variance", "max"];

    /// <summary>The 13 blocks of one component, in order; offsets within its 190 rows.</summary>
    public static IReadOnlyList<FeatureBlock> Blocks { get; } =
    [
        new("chroma_stft", 0, 12, "pitch classes from the STFT (harmony)"),
        new("chroma_cens", 12, 12, "smoothed pitch-class energy from the CQT (harmony over time)"),
        new("melspectrogram", 24, 96, "mel band energies (timbre, loudness)"),
        new("mfcc", 120, 20, "cepstral coefficients (timbre)"),
        new("mfcc_delta", 140, 20, "change of timbre"),
        new("mfcc_delta2", 160, 20, "acceleration of timbre"),
        new("rmse", 180, 1, "loudness"),
        new("spectral_centroid", 181, 1, "brightness"),
        new("spectral_bandwidth", 182, 1, "spectral spread"),
        new("spectral_rolloff", 183, 1, "high-frequency content"),
        new("poly_features_order1", 184, 2, "spectral slope"),
        new("poly_features_order2", 186, 3, "spectral curvature"),
        new("zero_crossing_rate", 189, 1, "noisiness"),
    ];

    /// <summary>Describes one index of the 1140-d track vector.</summary>
    public static (string Statistic, string Component, FeatureBlock Block, int DimInBlock) Describe(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, TrackDimension);
        var row = index % PerFrame;
        var within = row % PerComponent;
        var block = Blocks.Last(b => b.Offset <= within);
        return (Statistics[index / PerFrame], Components[row / PerComponent], block, within - block.Offset);
    }

    /// <summary>Index in the track vector of a block's first value for a statistic and component.</summary>
    public static int IndexOf(int statistic, int component, FeatureBlock block) =>
        (statistic * PerFrame) + (component * PerComponent) + block.Offset;
}
