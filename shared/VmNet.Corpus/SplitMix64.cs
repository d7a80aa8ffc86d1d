namespace VmNet.Corpus;

/// <summary>
/// SplitMix64: a tiny generator whose output is fixed by its seed forever. <see cref="Random"/> does not promise
/// the same sequence across .NET versions, and a corpus must be reproducible from its seed alone.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>An independent stream for (<paramref name="seed"/>, <paramref name="stream"/>, <paramref name="index"/>), so items render in any order.</summary>
    public static SplitMix64 For(int seed, string stream, int index)
    {
        // FNV-1a over the stream name: string.GetHashCode is randomised per process.
        var hash = 14695981039346656037UL;
        foreach (var c in stream)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return new SplitMix64(Mix(Mix((ulong)(uint)seed ^ hash) + (ulong)(uint)index));
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Uniform in [0, <paramref name="count"/>).</summary>
    public int Next(int count) => (int)(NextDouble() * count);

    /// <summary>Standard normal (Box–Muller).</summary>
    public double Normal()
    {
        var u = 1.0 - NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * NextDouble());
    }

    public double Normal(double mean, double sigma) => mean + (sigma * Normal());

    /// <summary>A stateless hash of three integers to [0, 1): per-pixel grain without a shared generator.</summary>
    public static float Hash01(ulong key, int a, int b) =>
        (Mix(key ^ Mix(((ulong)(uint)a << 32) | (uint)b)) >> 40) * (1f / (1 << 24));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
