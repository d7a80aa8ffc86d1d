using System.Security.Cryptography;
using System.Text;
using VmNet.Training;

namespace VmNet.Demo;

/// <summary>
/// Test / validation / training pairs chosen by media id with exact shares: pairs ordered by
/// <see cref="PairSplit.Unit"/> of their id, the first share is the test split, the next the validation split.
/// The same ids always give the same split; nothing else (file names, order of arrival) matters.
/// </summary>
public static class DemoSplit
{
    public static PairCorpus Build(IReadOnlyList<FeaturePair> pairs, double testFraction, double validationFraction, string? videoFeatureVersion)
    {
        var usable = pairs.Where(p => p.Music.All(float.IsFinite) && p.Video.All(float.IsFinite)).ToList();
        if (usable.Count == 0)
        {
            throw new DemoException("no complete pairs (music and video features stored) to train on");
        }

        var musicDim = usable.GroupBy(p => p.Music.Length).MaxBy(g => g.Count())!.Key;
        var videoDim = usable.GroupBy(p => p.Video.Length).MaxBy(g => g.Count())!.Key;
        var ordered = usable
            .Where(p => p.Music.Length == musicDim && p.Video.Length == videoDim)
            .OrderBy(p => PairSplit.Unit(p.MediaId))
            .ThenBy(p => p.MediaId, StringComparer.Ordinal)
            .ToList();
        var test = Math.Max(2, (int)Math.Round(ordered.Count * testFraction));
        var validation = Math.Max(2, (int)Math.Round(ordered.Count * validationFraction));
        if (ordered.Count - test - validation < 2)
        {
            throw new DemoException($"too few pairs: {ordered.Count} complete pairs cannot give {test} test, {validation} validation and at least 2 training pairs");
        }

        // Each part in media-id order, like the trainer's own splits.
        List<FeaturePair> Part(int skip, int take) => [.. ordered.Skip(skip).Take(take).OrderBy(p => p.MediaId, StringComparer.Ordinal)];
        return new PairCorpus(
            PairSet.Of(Part(test + validation, ordered.Count), musicDim, videoDim),
            PairSet.Of(Part(test, validation), musicDim, videoDim),
            PairSet.Of(Part(0, test), musicDim, videoDim),
            Snapshot(ordered),
            videoFeatureVersion);
    }

    // Names the data a model was trained on (model versions carry it): the ids and the values.
    private static string Snapshot(List<FeaturePair> pairs)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var pair in pairs.OrderBy(p => p.MediaId, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(pair.MediaId));
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(pair.Music.AsSpan()));
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(pair.Video.AsSpan()));
        }

        return $"{pairs.Count}-{Convert.ToHexStringLower(sha.GetHashAndReset())[..16]}";
    }
}
