using VmNet.Contracts;

namespace VmNet.Search.Tests;

/// <summary>A new generation made live while clients query and watch.</summary>
public sealed class ModelSwapTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Watchers_see_the_swap_and_every_answer_comes_whole_from_one_generation()
    {
        // Bounded: a swap that never shows ends the test instead of hanging it.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Patience);
        var ct = deadline.Token;
        await using var server = await SearchServer.StartAsync();
        var world = server.World;
        SearchWorld.WriteModel(world.DataDir, "v2", seed: 99);
        await world.EmbedAsync(server.Store, "v2");
        var video = world.First(MediaKind.Pair);
        var expected = new Dictionary<string, List<string>>
        {
            ["v1"] = [.. world.ExpectedMusicFor(video.Video!, "v1").Take(5).Select(e => e.MediaId)],
            ["v2"] = [.. world.ExpectedMusicFor(video.Video!, "v2").Take(5).Select(e => e.MediaId)],
        };
        Assert.NotEqual(expected["v1"], expected["v2"]);

        using var client = server.Client();
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watched = new List<string>();
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = Task.Run(async () =>
        {
            await foreach (var info in client.WatchModelAsync(watching.Token))
            {
                watched.Add(info.LiveVersion);
                firstSeen.TrySetResult();
                if (info.LiveVersion == "v2")
                {
                    return;
                }
            }
        }, ct);

        using var stop = new CancellationTokenSource();
        var answers = new System.Collections.Concurrent.ConcurrentBag<V1.SearchReply>();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                answers.Add(await client.FindMusicForVideoIdAsync(video.MediaId, new V1.QueryOptions { TopK = 5 }, ct));
            }
        }, ct)).ToList();
        await firstSeen.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        while (answers.IsEmpty)
        {
            await Task.Delay(20, ct);
        }

        await server.Store.ActivateAsync("v2", ct);
        var before = answers.Count;
        while (answers.Count(a => a.ModelVersion == "v2") < 10)
        {
            await Task.Delay(20, ct);
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);
        await watcher.WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.Equal(["v1", "v2"], watched);
        Assert.True(before > 0);
        Assert.Contains(answers, a => a.ModelVersion == "v1");
        Assert.Contains(answers, a => a.ModelVersion == "v2");
        Assert.All(answers, a => Assert.Equal(expected[a.ModelVersion], a.Matches.Select(m => m.MediaId)));
    }
}
