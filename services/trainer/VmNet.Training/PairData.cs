using System.Security.Cryptography;
using System.Text;
using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Training;

/// <summary>One training pair: a music video's two raw feature vectors.</summary>
public sealed record FeaturePair(string MediaId, float[] Music, float[] Video);

/// <summary>Pairs of one split, as row-major matrices.</summary>
public sealed record PairSet(IReadOnlyList<string> MediaIds, float[] Music, float[] Video, int MusicDim, int VideoDim)
{
    public int Count => MediaIds.Count;

    public static PairSet Of(IReadOnlyList<FeaturePair> pairs, int musicDim, int videoDim)
    {
        var music = new float[pairs.Count * musicDim];
        var video = new float[pairs.Count * videoDim];
        for (var i = 0; i < pairs.Count; i++)
        {
            pairs[i].Music.CopyTo(music, i * musicDim);
            pairs[i].Video.CopyTo(video, i * videoDim);
        }

        return new PairSet(pairs.Select(p => p.MediaId).ToList(), music, video, musicDim, videoDim);
    }
}

/// <summary>The pairs a run trains on, split by media id, with the data snapshot id that names them.</summary>
public sealed record PairCorpus(PairSet Train, PairSet Validation, PairSet Test, string Snapshot, string? VideoFeatureVersion)
{
    public int MusicDim => Train.MusicDim;

    public int VideoDim => Train.VideoDim;

    /// <summary>
    /// Splits complete pairs (both halves present, the dimension most items have). Items of another dimension
    /// (an older extractor) are left out rather than failing the run.
    /// </summary>
    public static PairCorpus Build(IEnumerable<FeaturePair> items, double validationFraction, double testFraction, string? videoFeatureVersion = null)
    {
        var (pairs, musicDim, videoDim) = Usable(items);
        var parts = pairs.ToLookup(p => PairSplit.Of(p.MediaId, validationFraction, testFraction));
        var train = parts[SplitPart.Train].ToList();
        var validation = parts[SplitPart.Validation].ToList();
        if (train.Count < 2 || validation.Count < 2)
        {
            throw new InvalidOperationException($"too few pairs to train: {train.Count} for training and {validation.Count} for validation out of {pairs.Count} (need 2 of each)");
        }

        return new PairCorpus(
            PairSet.Of(train, musicDim, videoDim),
            PairSet.Of(validation, musicDim, videoDim),
            PairSet.Of(parts[SplitPart.Test].ToList(), musicDim, videoDim),
            SnapshotOf(pairs),
            videoFeatureVersion);
    }

    /// <summary>
    /// The same pairs with exact shares instead of hashed thresholds (small corpora, e.g. the demo's): pairs ordered
    /// by <see cref="PairSplit.Unit"/> of their id, the first share is the test split, the next the validation split.
    /// The same ids always give the same split.
    /// </summary>
    public static PairCorpus BuildWithExactShares(IEnumerable<FeaturePair> items, double validationFraction, double testFraction, string? videoFeatureVersion = null)
    {
        var (pairs, musicDim, videoDim) = Usable(items);
        var ordered = pairs.OrderBy(p => PairSplit.Unit(p.MediaId)).ThenBy(p => p.MediaId, StringComparer.Ordinal).ToList();
        var test = Math.Max(2, (int)Math.Round(ordered.Count * testFraction));
        var validation = Math.Max(2, (int)Math.Round(ordered.Count * validationFraction));
        if (ordered.Count - test - validation < 2)
        {
            throw new InvalidOperationException($"too few pairs: {ordered.Count} complete pairs cannot give {test} test, {validation} validation and at least 2 training pairs");
        }

        // Each part in media-id order, like the hashed split.
        List<FeaturePair> Part(int skip, int take) => [.. ordered.Skip(skip).Take(take).OrderBy(p => p.MediaId, StringComparer.Ordinal)];
        return new PairCorpus(
            PairSet.Of(Part(test + validation, ordered.Count), musicDim, videoDim),
            PairSet.Of(Part(test, validation), musicDim, videoDim),
            PairSet.Of(Part(0, test), musicDim, videoDim),
            SnapshotOf(pairs),
            videoFeatureVersion);
    }

    // Complete, finite pairs of the dimensions most items have, in media-id order; items of another dimension (an
    // older extractor) are left out rather than failing the run.
    private static (List<FeaturePair> Pairs, int MusicDim, int VideoDim) Usable(IEnumerable<FeaturePair> items)
    {
        var pairs = items.Where(p => p.Music.All(float.IsFinite) && p.Video.All(float.IsFinite)).OrderBy(p => p.MediaId, StringComparer.Ordinal).ToList();
        if (pairs.Count == 0)
        {
            throw new InvalidOperationException("no complete pairs (items of kind pair with music and video features) to train on");
        }

        var musicDim = pairs.GroupBy(p => p.Music.Length).MaxBy(g => g.Count())!.Key;
        var videoDim = pairs.GroupBy(p => p.Video.Length).MaxBy(g => g.Count())!.Key;
        return ([.. pairs.Where(p => p.Music.Length == musicDim && p.Video.Length == videoDim)], musicDim, videoDim);
    }

    /// <summary>Every complete pair in the catalogue, in media-id order.</summary>
    public static async Task<PairCorpus> LoadAsync(IFeatureCatalogue catalogue, double validationFraction, double testFraction, CancellationToken cancellationToken)
    {
        var pairs = new List<FeaturePair>();
        var videoVersions = new Dictionary<string, int>();
        await foreach (var item in catalogue.ListAsync(MediaKind.Pair, cancellationToken))
        {
            if (item.MusicFeatures is { Length: > 0 } music && item.VideoFeatures is { Length: > 0 } video)
            {
                pairs.Add(new FeaturePair(item.MediaId, music, video));
                if (item.VideoExtractorVersion is { } v)
                {
                    videoVersions[v] = videoVersions.GetValueOrDefault(v) + 1;
                }
            }
        }

        var videoVersion = videoVersions.Count == 0 ? null : videoVersions.MaxBy(kv => kv.Value).Key;
        return Build(pairs, validationFraction, testFraction, videoVersion);
    }

    // The ids and a digest of the values: the same data gives the same id on any machine.
    private static string SnapshotOf(IReadOnlyList<FeaturePair> pairs)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var pair in pairs)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(pair.MediaId));
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(pair.Music.AsSpan()));
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(pair.Video.AsSpan()));
        }

        return $"{pairs.Count}-{Convert.ToHexStringLower(sha.GetHashAndReset())[..16]}";
    }
}
