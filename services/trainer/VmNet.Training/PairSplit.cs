using System.Security.Cryptography;
using System.Text;

namespace VmNet.Training;

public enum SplitPart
{
    Train,
    Validation,
    Test,
}

/// <summary>
/// Train/validation/test by media id: a hash of the id picks the part, so a pair is never split, an item keeps its
/// part as the catalogue grows, and the split needs no stored state.
/// </summary>
public static class PairSplit
{
    public static SplitPart Of(string mediaId, double validationFraction, double testFraction)
    {
        var u = Unit(mediaId);
        return u < testFraction ? SplitPart.Test : u < testFraction + validationFraction ? SplitPart.Validation : SplitPart.Train;
    }

    /// <summary>A uniform number in [0, 1) from the id's SHA-256.</summary>
    public static double Unit(string mediaId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(mediaId));
        return (BitConverter.ToUInt64(hash, 0) >> 11) / (double)(1UL << 53);
    }
}
