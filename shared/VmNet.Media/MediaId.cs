using System.Security.Cryptography;

namespace VmNet.Media;

/// <summary>Media ids are content hashes: the same bytes twice are one item.</summary>
public static class MediaId
{
    /// <summary>Length of an id: the first 128 bits of SHA-256 as lower-case hex.</summary>
    public const int Length = 32;

    public static async Task<string> OfFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return Convert.ToHexStringLower(hash)[..Length];
    }

    public static string OfBytes(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..Length];

    public static bool IsValid(string? id) =>
        id is { Length: Length } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
