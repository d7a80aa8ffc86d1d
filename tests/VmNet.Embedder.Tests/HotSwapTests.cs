using System.Collections.Concurrent;
using System.Numerics.Tensors;
using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Embedder.Tests;

public sealed class HotSwapTests
{
    [Fact]
    public async Task SwappingTheModelDuringContinuousQueriesGivesNoFailedOrMixedAnswers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await EmbedderHarness.StartAsync();
        for (var i = 0; i < 600; i++)
        {
            var id = EmbedderHarness.Id(i);
            await h.Catalogue.UpsertMusicAsync(id, MediaKind.Pair, EmbedderHarness.Features(i, TestModelFolders.MusicDim), "t", 30, 100, ct);
            await h.Catalogue.UpsertVideoAsync(id, MediaKind.Pair, EmbedderHarness.Features(10_000 + i, TestModelFolders.VideoDim), "t", 30, ct);
        }

        TestModelFolders.Write(h.ModelsRoot, "v1", seed: 1);
        TestModelFolders.Write(h.ModelsRoot, "v2", seed: 2);
        Assert.True(await h.PublishModelAsync("v1") is not null, h.LastFailure);

        var answers = new ConcurrentBag<(int Reader, int Sequence, float[] Query, VectorSearchResult Result)>();
        var failures = new ConcurrentBag<Exception>();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(reader => Task.Run(async () =>
        {
            var random = new Random(reader);
            for (var sequence = 0; !stop.IsCancellationRequested; sequence++)
            {
                var query = EmbedderHarness.Features(random.Next(), TestModelFolders.EmbeddingDim);
                try
                {
                    answers.Add((reader, sequence, query, await h.Store.SearchAsync(sequence % 2 == 0 ? Modality.Music : Modality.Video, query, 10, null, CancellationToken.None)));
                }
                catch (Exception e)
                {
                    failures.Add(e);
                }
            }
        }, CancellationToken.None)).ToList();

        // The readers must have answered from v1 before the swap starts (on a fast machine they may not have yet).
        while (!answers.Any(a => a.Result.Generation == "v1") && failures.IsEmpty)
        {
            await Task.Delay(10, ct);
        }

        // Items keep arriving while v2 is built; they must end up in v2 as well.
        var publishing = h.PublishModelAsync("v2");
        var late = Enumerable.Range(1000, 30).Select(EmbedderHarness.Id).ToList();
        foreach (var (id, n) in late.Select((id, n) => (id, n)))
        {
            await h.PublishMusicAsync(id, seed: 1000 + n);
        }

        var activated = await publishing;
        foreach (var id in late)
        {
            await h.ConsumedAsync<AudioFeaturesExtracted>(id);
        }

        await Task.Delay(200, ct);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.NotNull(activated);
        Assert.Empty(failures);
        Assert.Equal("v2", h.Store.LiveGeneration);
        Assert.Contains(answers, a => a.Result.Generation == "v1");
        Assert.Contains(answers, a => a.Result.Generation == "v2");

        // Each reader sees v1 then v2, never back; every hit's score is its own generation's vector's score.
        foreach (var reader in answers.GroupBy(a => a.Reader))
        {
            var generations = reader.OrderBy(a => a.Sequence).Select(a => a.Result.Generation).ToList();
            Assert.Equal(generations.Order(StringComparer.Ordinal), generations);
        }

        var mismatches = 0;
        var checkedHits = 0;
        foreach (var (_, sequence, query, result) in answers.Where((_, n) => n % 7 == 0))
        {
            var modality = sequence % 2 == 0 ? Modality.Music : Modality.Video;
            Assert.Equal(10, result.Hits.Count);
            foreach (var hit in result.Hits)
            {
                var own = await h.Store.GetVectorAsync(result.Generation, modality, hit.MediaId, ct);
                checkedHits++;
                mismatches += own is not null && Math.Abs(TensorPrimitives.CosineSimilarity(query, own) - hit.Score) < 1e-3 ? 0 : 1;
            }
        }

        Assert.True(checkedHits > 100, $"only {checkedHits} hits checked");
        Assert.Equal(0, mismatches);

        // The check has teeth: the two generations give different vectors for the same item.
        var v1 = await h.Store.GetVectorAsync("v1", Modality.Music, EmbedderHarness.Id(0), ct);
        var v2 = await h.Store.GetVectorAsync("v2", Modality.Music, EmbedderHarness.Id(0), ct);
        Assert.True(TensorPrimitives.CosineSimilarity(v1!, v2!) < 0.99f);
        foreach (var id in late)
        {
            Assert.NotNull(await h.Store.GetVectorAsync("v2", Modality.Music, id, ct));
        }

        Assert.Equal(630L, (await h.Store.ListGenerationsAsync(ct)).Single(g => g.Generation == "v2").MusicCount);
    }
}
