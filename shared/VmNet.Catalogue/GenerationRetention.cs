namespace VmNet.Catalogue;

/// <summary>
/// Which generations a store keeps: the live one, the <c>retain</c> newest created before it (the ones a rollback
/// goes back to), and every generation created after it (one being built, or one rolled back from, which a roll
/// forward may want); the rest are dropped. A store without a live generation drops nothing.
/// </summary>
public static class GenerationRetention
{
    /// <summary>The default of <c>VectorStore:RetainGenerations</c>.</summary>
    public const int DefaultRetain = 2;

    /// <summary>The generations of <paramref name="generations"/> to drop, oldest first; never one in <paramref name="protect"/>.</summary>
    public static IReadOnlyList<string> ToDrop(IReadOnlyList<GenerationInfo> generations, int retain, IEnumerable<string?> protect)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retain);
        var live = generations.FirstOrDefault(g => g.IsLive);
        if (live is null)
        {
            return [];
        }

        var kept = protect.OfType<string>().ToHashSet(StringComparer.Ordinal);
        return [.. generations
            .Where(g => !g.IsLive && g.CreatedAt <= live.CreatedAt && !kept.Contains(g.Generation))
            .OrderByDescending(g => g.CreatedAt)
            .ThenByDescending(g => g.Generation, StringComparer.Ordinal)
            .Skip(retain)
            .OrderBy(g => g.CreatedAt)
            .Select(g => g.Generation)];
    }

    /// <summary>How <c>vmnet models list</c> and the READMEs say what is kept.</summary>
    public static string Describe(int retain) =>
        $"retention: the live generation and the {retain} before it are kept (VectorStore:RetainGenerations = {retain}); older ones are dropped after each activation";
}
