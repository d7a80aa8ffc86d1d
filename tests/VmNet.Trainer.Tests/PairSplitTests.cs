using VmNet.Training;

namespace VmNet.Trainer.Tests;

public sealed class PairSplitTests
{
    [Fact]
    public void SplitIsByMediaIdDeterministicAndNearTheFractions()
    {
        var ids = Enumerable.Range(0, 4000).Select(i => $"id{i}").ToList();
        var parts = ids.Select(id => PairSplit.Of(id, 0.1, 0.2)).ToList();
        Assert.Equal(parts, ids.Select(id => PairSplit.Of(id, 0.1, 0.2)));
        Assert.InRange(parts.Count(p => p == SplitPart.Validation) / 4000.0, 0.08, 0.12);
        Assert.InRange(parts.Count(p => p == SplitPart.Test) / 4000.0, 0.17, 0.23);
    }

    [Fact]
    public void CorpusKeepsEachPairWholeInOnePartAndGrowingDataKeepsParts()
    {
        var pairs = SyntheticPairs.Create(300);
        var small = PairCorpus.Build(pairs.Take(200), 0.1, 0.1);
        var large = PairCorpus.Build(pairs, 0.1, 0.1);
        var sets = new[] { small.Train, small.Validation, small.Test };
        Assert.Equal(200, sets.Sum(s => s.Count));
        Assert.Equal(200, sets.SelectMany(s => s.MediaIds).Distinct().Count());
        Assert.Empty(small.Train.MediaIds.Intersect(large.Validation.MediaIds.Concat(large.Test.MediaIds)));
        Assert.NotEqual(small.Snapshot, large.Snapshot);

        // Row i of a part's music and video matrices is the same media id's pair.
        var first = pairs.Single(p => p.MediaId == small.Validation.MediaIds[0]);
        Assert.Equal(first.Music, small.Validation.Music.Take(first.Music.Length));
        Assert.Equal(first.Video, small.Validation.Video.Take(first.Video.Length));
    }

    [Fact]
    public void TooFewPairsIsAClearError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PairCorpus.Build(SyntheticPairs.Create(3), 0.1, 0.1));
        Assert.Contains("too few pairs", error.Message);
    }
}
