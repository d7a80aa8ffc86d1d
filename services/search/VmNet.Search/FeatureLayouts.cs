using VmNet.Contracts;

namespace VmNet.Search;

/// <summary>A named group of positions in a raw feature vector (e.g. the harmonic chroma values).</summary>
public sealed record FeatureBlock(string Name, int[] Indices);

/// <summary>
/// How raw feature vectors divide into blocks that mean something to a person, for explaining matches.
/// Music: the VM-NET 1140-value layout (DESIGN.md §3); anything else: equal slices of the vector.
/// </summary>
public sealed class FeatureLayouts(
    Func<int, IReadOnlyList<FeatureBlock>?>? music = null,
    Func<int, IReadOnlyList<FeatureBlock>?>? video = null)
{
    /// <summary>Per-frame features of one HPSS component, in extractor order, with their widths.</summary>
    public static IReadOnlyList<(string Feature, int Width)> MusicComponentFeatures { get; } =
    [
        ("chroma_stft", 12), ("chroma_cens", 12), ("mel", 96), ("mfcc", 20), ("delta_mfcc", 20), ("delta2_mfcc", 20),
        ("rms", 1), ("centroid", 1), ("bandwidth", 1), ("rolloff", 1), ("poly1", 2), ("poly2", 3), ("zcr", 1),
    ];

    public const int MusicComponentWidth = 190;
    public const int MusicFrameWidth = 2 * MusicComponentWidth;
    public const int MusicDimension = 3 * MusicFrameWidth;
    public const int EvenSlices = 8;

    // Features a listener would name together: the block names reported to callers.
    private static readonly Dictionary<string, string> MusicGroups = new()
    {
        ["chroma_stft"] = "chroma", ["chroma_cens"] = "chroma", ["mel"] = "mel spectrum",
        ["mfcc"] = "timbre (mfcc)", ["delta_mfcc"] = "timbre (mfcc)", ["delta2_mfcc"] = "timbre (mfcc)",
        ["rms"] = "loudness", ["centroid"] = "brightness", ["bandwidth"] = "brightness", ["rolloff"] = "brightness",
        ["poly1"] = "spectral slope", ["poly2"] = "spectral slope", ["zcr"] = "noisiness",
    };

    public IReadOnlyList<FeatureBlock> For(Modality modality, int dimension) =>
        (modality == Modality.Music ? music : video)?.Invoke(dimension)
        ?? (modality == Modality.Music && dimension == MusicDimension ? VmNetMusic() : Even(modality, dimension));

    /// <summary>
    /// 1140 = concat(mean, variance, max) over frames of 380 = harmonic 190 ++ percussive 190. A block spans its
    /// feature in all three statistics: "harmonic chroma" is 3 × 24 positions.
    /// </summary>
    public static IReadOnlyList<FeatureBlock> VmNetMusic()
    {
        var blocks = new Dictionary<string, List<int>>();
        string[] components = ["harmonic", "percussive"];
        for (var stat = 0; stat < 3; stat++)
        {
            for (var c = 0; c < components.Length; c++)
            {
                var offset = stat * MusicFrameWidth + c * MusicComponentWidth;
                foreach (var (feature, width) in MusicComponentFeatures)
                {
                    var name = $"{components[c]} {MusicGroups[feature]}";
                    if (!blocks.TryGetValue(name, out var indices))
                    {
                        blocks[name] = indices = [];
                    }

                    indices.AddRange(Enumerable.Range(offset, width));
                    offset += width;
                }
            }
        }

        return [.. blocks.Select(b => new FeatureBlock(b.Key, [.. b.Value]))];
    }

    /// <summary>Equal slices, for vectors whose internal layout is not known here.</summary>
    public static IReadOnlyList<FeatureBlock> Even(Modality modality, int dimension)
    {
        var slices = Math.Min(EvenSlices, Math.Max(1, dimension));
        var name = modality == Modality.Music ? "music" : "video";
        return [.. Enumerable.Range(0, slices).Select(s =>
        {
            var start = s * dimension / slices;
            var end = (s + 1) * dimension / slices;
            return new FeatureBlock($"{name} dims {start}-{end - 1}", [.. Enumerable.Range(start, end - start)]);
        })];
    }
}
