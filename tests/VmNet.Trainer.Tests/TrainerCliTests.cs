using System.Text.Json;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Bench;
using VmNet.Cli;
using VmNet.Testing;
using VmNet.Training;
using VmNet.Storage;

namespace VmNet.Trainer.Tests;

/// <summary><c>vmnet train / eval / bench train</c>, run in-process through the <c>vmnet</c> command tree.</summary>
public sealed class TrainerCliTests
{
    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(output);
        try
        {
            var exit = await CommandRunner.RunAsync(VmNetCommands.Build(), args, cancellationToken: TestContext.Current.CancellationToken);
            return (exit, output.ToString());
        }
        finally
        {
            Console.SetOut(previous);
        }
    }

    [Fact]
    public async Task EvalJsonReportsTheLiveModelOnTheTestSplit()
    {
        using var folder = new TempFolder("trainer-cli");
        var data = new DataDirectory(folder.Path);
        var catalogue = new SqliteFeatureCatalogue(data);
        foreach (var pair in SyntheticPairs.Create(400))
        {
            await catalogue.UpsertMusicAsync(pair.MediaId, MediaKind.Pair, pair.Music, "m1", 30, null, TestContext.Current.CancellationToken);
            await catalogue.UpsertVideoAsync(pair.MediaId, MediaKind.Pair, pair.Video, "v1", 30, TestContext.Current.CancellationToken);
        }

        var corpus = await PairCorpus.LoadAsync(catalogue, 0.1, 0.1, TestContext.Current.CancellationToken);
        var outcome = TrainingPipeline.Run(corpus, new Catalogue.ModelRegistry(data), SyntheticPairs.TinyOptions(epochs: 2), 0.01, null, default);

        var (exit, output) = await RunAsync("eval", "--json", "--data", folder.Path);
        Assert.Equal(0, exit);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(outcome.Manifest.Version, json.GetProperty("model").GetString());
        Assert.Equal(corpus.Test.Count, json.GetProperty("testPairs").GetInt32());
        foreach (var direction in new[] { "videoToMusic", "musicToVideo" })
        {
            var figures = json.GetProperty(direction);
            Assert.Equal(["R@1", "R@10", "R@25", "R@50", "R@100", "medianRank"], figures.EnumerateObject().Select(p => p.Name));
        }

        Assert.Equal(outcome.Test!.VideoToMusic.At(10), json.GetProperty("videoToMusic").GetProperty("R@10").GetDouble(), 6);
        Assert.Equal(CcaBaseline.Fit(corpus.Train).Evaluate(corpus.Test).MusicToVideo.At(1), json.GetProperty("cca").GetProperty("musicToVideo").GetProperty("R@1").GetDouble(), 9);
        Assert.Equal(Math.Min(10, corpus.Test.Count) / (double)corpus.Test.Count, json.GetProperty("chance").GetProperty("videoToMusic").GetProperty("R@10").GetDouble(), 9);
    }

    [Fact]
    public async Task EvalWithSeedsReportsMeanAndSdOfBothLossesBesideCcaAndChance()
    {
        using var folder = new TempFolder("trainer-cli");
        var catalogue = new SqliteFeatureCatalogue(new DataDirectory(folder.Path));
        foreach (var pair in SyntheticPairs.Create(200))
        {
            await catalogue.UpsertMusicAsync(pair.MediaId, MediaKind.Pair, pair.Music, "m1", 30, null, TestContext.Current.CancellationToken);
            await catalogue.UpsertVideoAsync(pair.MediaId, MediaKind.Pair, pair.Video, "v1", 30, TestContext.Current.CancellationToken);
        }

        var corpus = await PairCorpus.LoadAsync(catalogue, 0.1, 0.1, TestContext.Current.CancellationToken);
        var (exit, output) = await RunAsync("eval", "--seeds", "2", "--epochs", "1", "--json", "--data", folder.Path);
        Assert.Equal(0, exit);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(2, json.GetProperty("seeds").GetInt32());
        Assert.Equal(corpus.Test.Count, json.GetProperty("testPairs").GetInt32());
        string[] figures = ["R@1", "R@10", "R@25", "R@50", "R@100", "medianRank"];
        foreach (var row in new[] { "combined", "interOnly", "cca", "chance" })
        {
            foreach (var direction in new[] { "videoToMusic", "musicToVideo" })
            {
                var d = json.GetProperty(row).GetProperty(direction);
                Assert.Equal([.. figures, "sd"], d.EnumerateObject().Select(p => p.Name));
                Assert.Equal(figures, d.GetProperty("sd").EnumerateObject().Select(p => p.Name));
                Assert.All(figures, f => Assert.True(d.GetProperty("sd").GetProperty(f).GetDouble() >= 0, $"{row}.{direction}.sd.{f}"));
            }
        }

        // The baselines are deterministic, and what the library computes on the same split.
        var cca = CcaBaseline.Fit(corpus.Train).Evaluate(corpus.Test);
        var ccaJson = json.GetProperty("cca");
        Assert.Equal(cca.VideoToMusic.At(10), ccaJson.GetProperty("videoToMusic").GetProperty("R@10").GetDouble(), 9);
        Assert.Equal(cca.MusicToVideo.MedianRank, ccaJson.GetProperty("musicToVideo").GetProperty("medianRank").GetDouble(), 9);
        Assert.Equal(0, ccaJson.GetProperty("videoToMusic").GetProperty("sd").GetProperty("R@1").GetDouble());
        // 20 music and 12 video features: PCA keeps all of them (fewer than 32), so k = 12 rather than 16.
        Assert.Equal(20, ccaJson.GetProperty("pcaDims").GetProperty("music").GetInt32());
        Assert.Equal(12, ccaJson.GetProperty("pcaDims").GetProperty("video").GetInt32());
        Assert.Equal(12, ccaJson.GetProperty("components").GetInt32());
        Assert.Equal((corpus.Test.Count + 1) / 2.0, json.GetProperty("chance").GetProperty("videoToMusic").GetProperty("medianRank").GetDouble());
        // On these linear views CCA is near perfect; far above chance either way.
        Assert.True(cca.VideoToMusic.At(10) > 0.5, $"CCA R@10 {cca.VideoToMusic.At(10)}");
    }

    [Fact]
    public async Task EvalWithoutAModelSaysSo()
    {
        using var folder = new TempFolder("trainer-cli");
        var catalogue = new SqliteFeatureCatalogue(new DataDirectory(folder.Path));
        foreach (var pair in SyntheticPairs.Create(100))
        {
            await catalogue.UpsertMusicAsync(pair.MediaId, MediaKind.Pair, pair.Music, "m1", 30, null, TestContext.Current.CancellationToken);
            await catalogue.UpsertVideoAsync(pair.MediaId, MediaKind.Pair, pair.Video, "v1", 30, TestContext.Current.CancellationToken);
        }

        var (exit, _) = await RunAsync("eval", "--json", "--data", folder.Path);
        Assert.Equal(1, exit);
    }

    [Fact]
    public async Task BenchTrainJsonTimesAnEpochAtTheRealSizes()
    {
        var (exit, output) = await RunAsync("bench", "train", "--pairs", "256", "--video-dim", "64", "--json");
        Assert.Equal(0, exit);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(1140, json.GetProperty("musicDim").GetInt32());
        Assert.Equal(256, json.GetProperty("pairs").GetInt32());
        Assert.True(json.GetProperty("secondsPerEpoch").GetDouble() > 0);
        Assert.True(json.GetProperty("baselineSecondsPerEpoch").GetDouble() > 0);
    }

    [Fact]
    public async Task BenchTrainDefaultsToTheConfiguredVideoPcaWidthAndTimesTheGemmFloor()
    {
        var (exit, output) = await RunAsync("bench", "train", "--pairs", "64", "--threads", "1", "--json");
        Assert.Equal(0, exit);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(512, json.GetProperty("videoDim").GetInt32());
        Assert.Equal(1, json.GetProperty("batchesPerEpoch").GetInt32());
        Assert.True(json.GetProperty("gemmSecondsPerBatch").GetDouble() > 0);
        Assert.True(json.GetProperty("ratioToGemm").GetDouble() > 0);
    }

    [Fact]
    public async Task BenchTuneTrainsEachVariantOverTheSeedsBesideCcaOnTheDemoSplit()
    {
        using var folder = new TempFolder("trainer-tune");
        var data = new DataDirectory(folder.Path);
        var catalogue = new SqliteFeatureCatalogue(data);
        var pairs = SyntheticPairs.Create(80);
        foreach (var pair in pairs)
        {
            await catalogue.UpsertMusicAsync(pair.MediaId, MediaKind.Pair, pair.Music, "m1", 30, null, TestContext.Current.CancellationToken);
            await catalogue.UpsertVideoAsync(pair.MediaId, MediaKind.Pair, pair.Video, "v1", 30, TestContext.Current.CancellationToken);
        }

        string[] args = ["bench", "tune", "--data", folder.Path, "--only", "base,pca16w", "--variant", "tiny-linear:hidden=none;embedding=8",
            "--seeds", "2", "--threads", "1", "--set", "epochs=2;patience=2;hidden=16;embedding=8;topq=10", "--json"];
        var (exit, output) = await RunAsync(args);
        Assert.Equal(0, exit);
        var json = JsonDocument.Parse(output).RootElement;
        var rows = json.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["base", "pca16w", "tiny-linear"], rows.Select(r => r.GetProperty("variant").GetString()));
        Assert.Equal((48, 16, 16), (json.GetProperty("trainPairs").GetInt32(), json.GetProperty("validationPairs").GetInt32(), json.GetProperty("testPairs").GetInt32()));

        // The split is the demo's and CCA is fitted on its training part.
        var corpus = PairCorpus.BuildWithExactShares(pairs, 0.2, 0.2);
        var cca = CcaBaseline.Fit(corpus.Train).Evaluate(corpus.Test);
        Assert.Equal(cca.VideoToMusic.At(1), json.GetProperty("cca").GetProperty("videoToMusic").GetProperty("R@1").GetDouble(), 9);

        // Each row is the mean of the seeds' own runs.
        var options = TuneBench.DemoBase with { MaxEpochs = 2, Patience = 2, MusicHidden = [16], VideoHidden = [16], EmbeddingDim = 8, TopQ = 10, Threads = 1 };
        var runs = new[] { 1, 2 }.Select(seed =>
        {
            var result = TrainingRun.Train(corpus, options with { Seed = seed });
            using var model = result.Model;
            return result.Test!.VideoToMusic.At(1);
        }).ToList();
        Assert.Equal(runs.Average(), rows[0].GetProperty("test").GetProperty("videoToMusic").GetProperty("R@1").GetDouble(), 9);

        var (again, repeated) = await RunAsync(args);
        Assert.Equal(0, again);
        Assert.Equal(
            rows.Select(r => r.GetProperty("test").ToString()),
            JsonDocument.Parse(repeated).RootElement.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("test").ToString()));
    }

    [Theory]
    [InlineData("--set", "bogus=1")]
    [InlineData("--set", "lambdas=1,2")]
    [InlineData("--set", "init=pretrained")]
    [InlineData("--set", "init=cca;pca=16")]
    [InlineData("--variant", "hardest:topq=1")]
    [InlineData("--only", "no-such-variant")]
    [InlineData("--variant", "nameless")]
    public async Task BenchTuneRefusesBadSettingsBeforeTraining(string option, string value)
    {
        using var folder = new TempFolder("trainer-tune");
        var (exit, output) = await RunAsync("bench", "tune", "--data", folder.Path, option, value);
        // 2 is a usage error, found before the (empty) catalogue is read; reading it would fail with 1.
        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, output);
    }
}
