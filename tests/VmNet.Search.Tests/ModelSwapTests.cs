using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Contracts;
using VmNet.ServiceDefaults;

namespace VmNet.Search.Tests;

/// <summary>A new generation made live while clients query and watch.</summary>
public sealed class ModelSwapTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Far longer than any test: what happens, happens because of the event.</summary>
    private static readonly Dictionary<string, string?> NoPoll = new() { ["Search:ModelPollInterval"] = "01:00:00" };

    /// <summary>How soon an announced activation must show; the poll, if it were what acted, would take an hour.</summary>
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(15);

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
        await server.AnnounceActivationAsync("v2", "v1", ct);
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

    [Fact]
    public async Task An_announced_activation_reaches_watchers_preloaded_without_waiting_for_the_poll()
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Patience);
        var ct = deadline.Token;
        await using var server = await SearchServer.StartAsync(NoPoll);
        var world = server.World;
        SearchWorld.WriteModel(world.DataDir, "v2", seed: 99);
        await world.EmbedAsync(server.Store, "v2");
        using var client = server.Client();
        await using var watcher = new Watcher(client, ct);
        Assert.Equal("v1", await watcher.NextAsync(Promptly));
        var models = server.App.Services.GetRequiredService<ModelCache>();
        Assert.DoesNotContain("v2", models.Loaded);

        await server.Store.ActivateAsync("v2", ct);
        await server.AnnounceActivationAsync("v2", "v1", ct);

        Assert.Equal("v2", await watcher.NextAsync(Promptly));
        Assert.Contains("v2", models.Loaded);
        var video = world.First(MediaKind.Pair);
        var answer = await client.FindMusicForVideoIdAsync(video.MediaId, new V1.QueryOptions { TopK = 5 }, ct);
        Assert.Equal("v2", answer.ModelVersion);
        Assert.Equal(world.ExpectedMusicFor(video.Video!, "v2").Take(5).Select(e => e.MediaId), answer.Matches.Select(m => m.MediaId));
    }

    [Fact]
    public async Task A_flip_nobody_announced_is_still_caught_by_the_poll()
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Patience);
        var ct = deadline.Token;
        await using var server = await SearchServer.StartAsync(new Dictionary<string, string?> { ["Search:ModelPollInterval"] = "00:00:00.200" });
        SearchWorld.WriteModel(server.World.DataDir, "v2", seed: 99);
        await server.World.EmbedAsync(server.Store, "v2");
        using var client = server.Client();
        await using var watcher = new Watcher(client, ct);
        Assert.Equal("v1", await watcher.NextAsync(Promptly));

        await server.Store.ActivateAsync("v2", ct);

        Assert.Equal("v2", await watcher.NextAsync(Promptly));
    }

    [Fact]
    public async Task Every_search_process_hears_activations_on_a_temporary_queue_of_its_own()
    {
        await using var first = await SearchServer.StartAsync(NoPoll);
        await using var second = await SearchServer.StartAsync(NoPoll);

        static string Queue(SearchServer server) => Assert.Single(
            server.App.Services.GetRequiredService<ConsumedQueues>().Names, n => n.StartsWith("search-model-activated", StringComparison.Ordinal));

        var (a, b) = (Queue(first), Queue(second));
        Assert.NotEqual(a, b);
        Assert.Matches("^search-model-activated-[0-9a-f]{12}$", a);
        var definition = (MassTransit.IConsumerDefinition)first.App.Services.GetRequiredService<MassTransit.IConsumerDefinition<ModelActivatedConsumer>>();
        Assert.True(definition.EndpointDefinition?.IsTemporary);
        // Queues other processes share stay shared.
        Assert.Contains("search-media-embedded", first.App.Services.GetRequiredService<ConsumedQueues>().Names);
        Assert.Contains("search-media-embedded", second.App.Services.GetRequiredService<ConsumedQueues>().Names);
    }

    /// <summary>A <c>WatchModel</c> call running in the background; every model it is sent is queued.</summary>
    private sealed class Watcher : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly Channel<string> _seen = Channel.CreateUnbounded<string>();
        private readonly Task _run;

        public Watcher(Client.SearchClient client, CancellationToken cancellationToken)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _run = Task.Run(async () =>
            {
                try
                {
                    await foreach (var info in client.WatchModelAsync(_stop.Token))
                    {
                        await _seen.Writer.WriteAsync(info.LiveVersion, _stop.Token);
                    }
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    // Stopped watching.
                }
            }, CancellationToken.None);
        }

        /// <summary>The next live version the server sent, or null when none came within <paramref name="wait"/>.</summary>
        public async Task<string?> NextAsync(TimeSpan wait)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(wait);
            try
            {
                return await _seen.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                return null;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run;
            _stop.Dispose();
        }
    }
}
