using System.Collections.Immutable;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Bench;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Embedder;
using VmNet.Hosting;
using VmNet.Media;
using VmNet.Search;
using VmNet.Testing;

namespace VmNet.EndToEnd.Tests;

/// <summary>
/// A removal a stop interrupted is finished by the next start, on the embedded default (in-memory bus, so the request
/// itself died with the process): what is left of it is the durable tombstone and how far it came.
/// </summary>
public sealed class TakedownRestartTests(ITestOutputHelper output)
{
    private const int MusicDim = 12;
    private const int VideoDim = 10;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_removal_interrupted_after_its_tombstone_or_after_its_purge_is_finished_by_the_next_start()
    {
        using var data = new TempFolder("takedown-restart");
        string[] ids = [.. Enumerable.Range(0, 4).Select(i => MediaId.OfBytes(BitConverter.GetBytes(9000 + i)))];
        var (half, late) = (ids[1], ids[2]);

        // First run: four pairs catalogued and embedded under a live model, each with a media folder. Stopped, not
        // disposed until the end: MassTransit's log context is static and would hold its disposed logger factory.
        await using var first = Start(data.Path);
        {
            await first.StartAsync(Ct);
            var events = first.Services.GetRequiredService<PipelineEvents>();
            var bus = first.Services.GetRequiredService<IBus>();
            var random = new Random(5);
            foreach (var id in ids)
            {
                Directory.CreateDirectory(Path.Combine(new DataDirectory(data.Path).Media, id));
                await File.WriteAllTextAsync(Path.Combine(new DataDirectory(data.Path).Media, id, "audio.wav"), "parts", Ct);
                await bus.Publish(new AudioFeaturesExtracted(id, Guid.NewGuid(), [.. Values(random, MusicDim)], 10, "test", 12, 100, DateTimeOffset.UtcNow), Ct);
                await bus.Publish(new VideoFeaturesExtracted(id, Guid.NewGuid(), [.. Values(random, VideoDim)], 10, "test", null, false, 12, DateTimeOffset.UtcNow), Ct);
            }

            var catalogue = first.Services.GetRequiredService<IFeatureCatalogue>();
            await EmbedderHarnessless.WaitAsync(async () => await catalogue.CountAsync(null, Ct) == ids.Length, "four catalogued items");
            var location = RandomModel.Write(data.Path, "r1", MusicDim, VideoDim, seed: 1);
            await bus.Publish(new ModelPublished("r1", Guid.NewGuid(), location, ImmutableDictionary<string, double>.Empty, DateTimeOffset.UtcNow), Ct);
            await events.WaitAsync<ModelActivated>(a => a.ModelVersion == "r1", TimeSpan.FromMinutes(2), Ct);

            // The state a crash leaves: "half" has its tombstone and lost its vectors, but kept its row and folder;
            // "late" was purged, and search's part and the answer never happened.
            var removals = first.Services.GetRequiredService<IRemovalLedger>();
            var store = first.Services.GetRequiredService<IVectorStore>();
            await removals.BeginRemovalAsync(new Removal(half, "platform:half", Guid.NewGuid(), "test", DateTimeOffset.UtcNow, RemovalState.Removing), Ct);
            await store.DeleteMediaAsync([half], Ct);
            await removals.BeginRemovalAsync(new Removal(late, null, Guid.NewGuid(), "test", DateTimeOffset.UtcNow, RemovalState.Removing), Ct);
            await first.Services.GetRequiredService<MediaRemover>().PurgeAsync((await removals.FindRemovalAsync(late, Ct))!, Guid.NewGuid(), Ct);
            Assert.Equal(RemovalState.Purged, (await removals.FindRemovalAsync(late, Ct))!.State);
            await first.StopAsync(Ct);
        }

        // Second run: nobody asks again; the start finishes both.
        await using var second = Start(data.Path);
        await second.StartAsync(Ct);
        try
        {
            var events = second.Services.GetRequiredService<PipelineEvents>();
            var removals = second.Services.GetRequiredService<IRemovalLedger>();
            foreach (var id in new[] { half, late })
            {
                var tombstone = (await removals.FindRemovalAsync(id, Ct))!;
                var removed = await events.WaitAsync<MediaRemoved>(r => r.MediaId == id, TimeSpan.FromMinutes(1), Ct);
                Assert.Equal((tombstone.CorrelationId, RemovalOutcome.Removed, tombstone.ExternalId), (removed.CorrelationId, removed.Outcome, removed.ExternalId));
            }

            var catalogue = second.Services.GetRequiredService<IFeatureCatalogue>();
            var store = second.Services.GetRequiredService<IVectorStore>();
            foreach (var id in ids)
            {
                var gone = id == half || id == late;
                Assert.Equal(gone ? RemovalState.Removed : (RemovalState?)null, (await removals.FindRemovalAsync(id, Ct))?.State);
                // Deleted, not only hidden: a delete finds no row.
                Assert.True(gone ? !await catalogue.DeleteAsync(id, Ct) : await catalogue.GetAsync(id, Ct) is not null);
                Assert.Equal(!gone, Directory.Exists(Path.Combine(new DataDirectory(data.Path).Media, id)));
                foreach (var modality in Enum.GetValues<Modality>())
                {
                    Assert.Equal(!gone, await store.GetVectorAsync("r1", modality, id, Ct) is not null);
                }
            }
        }
        catch
        {
            output.WriteLine(string.Join("\n", second.Services.GetRequiredService<PipelineEvents>().All));
            throw;
        }
        finally
        {
            await second.StopAsync(CancellationToken.None);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    // The embedder and search roles in one process on the in-memory bus, as `vmnet serve` runs them.
    private static WebApplication Start(string dataDir) => VmNetHost.Build(
        [EmbedderRole.Name, SearchRole.Name],
        new Dictionary<string, string?>
        {
            ["Storage:DataDir"] = dataDir,
            ["Search:GrpcUrl"] = "http://127.0.0.1:0",
            ["Search:HttpUrl"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        },
        b => b.AddPipelineEvents());

    private static float[] Values(Random random, int count) => [.. Enumerable.Range(0, count).Select(_ => (float)random.NextDouble())];

    private static class EmbedderHarnessless
    {
        public static async Task WaitAsync(Func<Task<bool>> condition, string what)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            while (!await condition())
            {
                await Task.Delay(50, timeout.Token).ContinueWith(_ => { }, CancellationToken.None);
                if (timeout.IsCancellationRequested)
                {
                    throw new TimeoutException("no " + what);
                }
            }
        }
    }
}
