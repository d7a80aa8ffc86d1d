using VmNet.Demo;
using VmNet.Training;

namespace VmNet.Demo.Tests;

public sealed class DemoSplitTests
{
    private static List<FeaturePair> Pairs(int n) =>
        [.. Enumerable.Range(0, n).Select(i => new FeaturePair($"{i:x32}", [i, 1, 2], [i, -1]))];

    [Theory]
    [InlineData(10, 0.2, 0.1, 2, 2)]
    [InlineData(100, 0.2, 0.1, 20, 10)]
    [InlineData(37, 0.3, 0.3, 11, 11)]
    public void Shares_are_exact_and_the_parts_disjoint(int n, double test, double validation, int expectedTest, int expectedValidation)
    {
        var split = PairCorpus.BuildWithExactShares(Pairs(n), validation, test, null);
        Assert.Equal(expectedTest, split.Test.Count);
        Assert.Equal(expectedValidation, split.Validation.Count);
        Assert.Equal(n - expectedTest - expectedValidation, split.Train.Count);
        var all = split.Train.MediaIds.Concat(split.Validation.MediaIds).Concat(split.Test.MediaIds).ToList();
        Assert.Equal(n, all.Distinct().Count());
    }

    [Fact]
    public void The_split_depends_on_the_ids_not_their_order()
    {
        var pairs = Pairs(50);
        var forward = PairCorpus.BuildWithExactShares(pairs, 0.1, 0.2, null);
        var backward = PairCorpus.BuildWithExactShares([.. Enumerable.Reverse(pairs)], 0.1, 0.2, null);
        Assert.Equal(forward.Test.MediaIds, backward.Test.MediaIds);
        Assert.Equal(forward.Validation.MediaIds, backward.Validation.MediaIds);
        Assert.Equal(forward.Snapshot, backward.Snapshot);
        // Rows travel with their ids: the first feature of each row is the pair's index.
        for (var i = 0; i < forward.Test.Count; i++)
        {
            Assert.Equal(int.Parse(forward.Test.MediaIds[i], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture), (int)forward.Test.Music[i * 3]);
        }
    }

    [Fact]
    public void Too_few_pairs_are_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PairCorpus.BuildWithExactShares(Pairs(5), 0.1, 0.2, null));
        Assert.Contains("too few pairs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chance_is_what_a_random_ranking_scores()
    {
        var chance = DemoRunner.Chance(40);
        Assert.Equal([1 / 40.0, 10 / 40.0, 25 / 40.0, 1.0, 1.0], chance.VideoToMusic.Recalls);
        Assert.Equal(20.5, chance.MusicToVideo.MedianRank);
    }
}
