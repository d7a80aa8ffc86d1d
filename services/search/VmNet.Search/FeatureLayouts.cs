using VmNet.AudioFeatures;
using VmNet.Contracts;
using VmNet.VideoFeatures;

namespace VmNet.Search;

/// <summary>A named set of positions in a raw feature vector that a person can talk about (e.g. "harmonic chroma").</summary>
internal sealed record FeatureGroup(string Name, int[] Indices);

/// <summary>
/// How raw feature vectors divide into groups that mean something to a person, for explaining matches. Music: the
/// extractor's own 1140-value layout (<see cref="AudioFeatureLayout"/>); video: the pooled statistics of the CNN rows
/// when the vector is exactly that (no PCA fitted: <see cref="VideoVectorLayout"/>), as "picture content" (means),
/// "motion" (standard deviations: how much the picture changes) and "picture peaks" (the five largest values); anything
/// else (PCA components, which name no statistic): equal slices of the vector.
/// </summary>
internal sealed class FeatureLayouts(
    Func<int, IReadOnlyList<FeatureGroup>?>? music = null,
    Func<int, IReadOnlyList<FeatureGroup>?>? video = null)
{
    public const int EvenSlices = 8;

    /// <summary>One frame's CNN row (ResNet18's 512, <c>CnnFeaturizer.Dimension</c>): pooled vectors are 7 blocks of it.</summary>
    public const int CnnRowDimension = 512;

    // Features a listener would name together: the group names reported to callers (keys: the layout's block names).
    private static readonly Dictionary<string, string> MusicGroups = new()
    {
        ["chroma_stft"] = "chroma", ["chroma_cens"] = "chroma", ["melspectrogram"] = "mel spectrum",
        ["mfcc"] = "timbre (mfcc)", ["mfcc_delta"] = "timbre (mfcc)", ["mfcc_delta2"] = "timbre (mfcc)",
        ["rmse"] = "loudness", ["spectral_centroid"] = "brightness", ["spectral_bandwidth"] = "brightness",
        ["spectral_rolloff"] = "brightness", ["poly_features_order1"] = "spectral slope",
        ["poly_features_order2"] = "spectral slope", ["zero_crossing_rate"] = "noisiness",
    };

    public IReadOnlyList<FeatureGroup> For(Modality modality, int dimension) =>
        (modality == Modality.Music ? music : video)?.Invoke(dimension)
        ?? (modality == Modality.Music && dimension == AudioFeatureLayout.TrackDimension ? VmNetMusic()
            : modality == Modality.Video && dimension == StatisticsPooling.Blocks * CnnRowDimension ? PooledVideo()
            : Even(modality, dimension));

    /// <summary>The unwhitened video vector's blocks (mean, std, top1…top5 of each CNN feature) by what they say about the picture.</summary>
    public static IReadOnlyList<FeatureGroup> PooledVideo()
    {
        var layout = VideoVectorLayout.For(StatisticsPooling.Blocks * CnnRowDimension, CnnRowDimension, whitened: false);
        static string Name(string block) => block switch { "mean" => "picture content", "std" => "motion", _ => "picture peaks" };
        return [.. layout.Segments
            .GroupBy(s => Name(s.Name))
            .Select(g => new FeatureGroup(g.Key, [.. g.SelectMany(s => Enumerable.Range(s.Start, s.Length))]))];
    }

    /// <summary>
    /// A group spans its features in all three statistics (mean, variance, max): "harmonic chroma" is
    /// 3 × (12 + 12) positions.
    /// </summary>
    public static IReadOnlyList<FeatureGroup> VmNetMusic()
    {
        var groups = new Dictionary<string, List<int>>();
        for (var stat = 0; stat < AudioFeatureLayout.Statistics.Count; stat++)
        {
            for (var c = 0; c < AudioFeatureLayout.Components.Count; c++)
            {
                foreach (var block in AudioFeatureLayout.Blocks)
                {
                    var name = $"{AudioFeatureLayout.Components[c]} {MusicGroups[block.Name]}";
                    if (!groups.TryGetValue(name, out var indices))
                    {
                        groups[name] = indices = [];
                    }

                    indices.AddRange(Enumerable.Range(AudioFeatureLayout.IndexOf(stat, c, block), block.Size));
                }
            }
        }

        return [.. groups.Select(g => new FeatureGroup(g.Key, [.. g.Value]))];
    }

    /// <summary>Equal slices, for vectors whose internal layout is not known here.</summary>
    public static IReadOnlyList<FeatureGroup> Even(Modality modality, int dimension)
    {
        var slices = Math.Min(EvenSlices, Math.Max(1, dimension));
        var name = modality == Modality.Music ? "music" : "video";
        return [.. Enumerable.Range(0, slices).Select(s =>
        {
            var start = s * dimension / slices;
            var end = (s + 1) * dimension / slices;
            return new FeatureGroup($"{name} dims {start}-{end - 1}", [.. Enumerable.Range(start, end - start)]);
        })];
    }
}
