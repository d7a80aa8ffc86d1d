using VmNet.Catalogue;

namespace VmNet.Embedder.Tests;

/// <summary>The retention rule alone: which generations go, whatever the store.</summary>
public sealed class GenerationRetentionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static List<GenerationInfo> Generations(string live, params string[] names) =>
        [.. names.Select((n, i) => new GenerationInfo(n, 8, 1, 1, n == live, T0.AddMinutes(i)))];

    [Fact]
    public void TheLiveGenerationAndTheNewestNBeforeItAreKept()
    {
        var all = Generations("g5", "g1", "g2", "g3", "g4", "g5");
        Assert.Equal(["g1", "g2"], GenerationRetention.ToDrop(all, 2, []));
        Assert.Equal(["g1", "g2", "g3", "g4"], GenerationRetention.ToDrop(all, 0, []));
        Assert.Empty(GenerationRetention.ToDrop(all, 4, []));
    }

    [Fact]
    public void GenerationsNewerThanTheLiveOneAndProtectedOnesAreNeverDropped()
    {
        // Rolled back to g2: g3 and g4 are newer (rolled back from, or being built) and stay.
        var all = Generations("g2", "g1", "g2", "g3", "g4");
        Assert.Equal(["g1"], GenerationRetention.ToDrop(all, 0, []));
        Assert.Empty(GenerationRetention.ToDrop(all, 0, ["g1"]));
        Assert.Empty(GenerationRetention.ToDrop(Generations("none", "g1", "g2"), 0, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => GenerationRetention.ToDrop(all, -1, []));
    }
}
