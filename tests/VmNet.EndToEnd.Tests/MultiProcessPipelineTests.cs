using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Bench;
using VmNet.ServiceDefaults;
using VmNet.Testing;
using VmNet.Storage;
using VmNet.AudioFeatures.Service;
using VmNet.Embedder;
using VmNet.Ingest;
using VmNet.Search;
using VmNet.VideoFeatures.Service;

namespace VmNet.EndToEnd.Tests;

/// <summary>
/// Every role its own process on the real RabbitMQ, two competing audio and two competing video workers:
/// every pair ends searchable exactly once, the work is shared, and one trace follows each media id. The catalogue and
/// the soundtrack ledger are in PostgreSQL, as in the compose layout: no role opens a shared SQLite file. With the
/// embedded vector store, embedder and search share a process (with Qdrant they split).
/// </summary>
public sealed class MultiProcessPipelineTests(ITestOutputHelper output)
{
    private const int FirstBatch = 6;
    private const int SecondBatch = 2;

    [Fact]
    public async Task Pairs_flow_through_competing_worker_processes_and_end_searchable_exactly_once()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("pipeline");
        await using var pipeline = await Pipeline.StartAsync(
            broker,
            [IngestRole.Name],
            [AudioFeaturesRole.Name],
            [AudioFeaturesRole.Name],
            [VideoFeaturesRole.Name],
            [VideoFeaturesRole.Name],
            [EmbedderRole.Name, SearchRole.Name]);
        var timeout = TimeSpan.FromMinutes(4);
        try
        {
            // Before any model: features are stored, nothing is embedded.
            var first = await IngestPairsAsync(pipeline, 0, FirstBatch, timeout);
            Assert.Empty(pipeline.Events.OfType<MediaEmbedded>());

            // The first model embeds everything stored so far, then goes live.
            var audio = pipeline.Events.OfType<AudioFeaturesExtracted>().First();
            var video = pipeline.Events.OfType<VideoFeaturesExtracted>().First();
            var location = RandomModel.Write(pipeline.Data.Path, "test-v1", audio.Vector.Length, video.Vector.Length, seed: 1);
            await pipeline.Bus.Publish(new ModelPublished("test-v1", Guid.NewGuid(), location,
                System.Collections.Immutable.ImmutableDictionary<string, double>.Empty, DateTimeOffset.UtcNow));
            var activated = await pipeline.Events.WaitAsync<ModelActivated>(a => a.ModelVersion == "test-v1", timeout);
            Assert.Equal(FirstBatch, activated.ItemsEmbedded);

            // Pairs arriving with a live model are embedded on arrival, both halves.
            var second = await IngestPairsAsync(pipeline, FirstBatch, SecondBatch, timeout);
            foreach (var (ingested, _) in second)
            {
                await WaitBothHalvesEmbeddedAsync(pipeline, ingested.MediaId, "test-v1", timeout);
            }

            // A video-only upload is tagged with soundtracks from the catalogue by the search process, under the live model.
            var upload = await TestMedia.VideoOnlyAsync(pipeline.Media.File("upload.mp4"), seconds: 2, pattern: "smptebars");
            var (uploadRequest, _) = await pipeline.IngestAsync(upload, MediaKind.Video);
            var uploaded = await pipeline.Events.WaitAsync<MediaIngested>(m => m.CorrelationId == uploadRequest.CorrelationId, timeout);
            var suggested = await pipeline.Events.WaitAsync<SoundtrackSuggested>(s => s.MediaId == uploaded.MediaId, timeout);
            var pairIds = first.Concat(second).Select(p => p.Item.MediaId).ToHashSet();
            output.WriteLine($"upload {uploaded.MediaId}: {string.Join(", ", suggested.Tracks.Select(t => $"{t.MediaId[..8]} {t.Score:0.000}"))}");
            Assert.Equal("test-v1", suggested.ModelVersion);
            Assert.NotEmpty(suggested.Tracks);
            Assert.All(suggested.Tracks, t => Assert.Contains(t.MediaId, pairIds));
            Assert.Equal(suggested.Tracks.OrderByDescending(t => t.Score).Select(t => t.MediaId), suggested.Tracks.Select(t => t.MediaId));

            // No SQLite file is shared: the catalogue and the soundtrack ledger are in PostgreSQL. The one database file
            // open is the embedded vector store's, in the one embedder + search process (Qdrant in the compose layout).
            var open = pipeline.OpenDatabaseFiles();
            output.WriteLine("open *.db: " + string.Join("; ", open.Select(o => $"{o.Key}: {string.Join(", ", o.Value.Select(Path.GetFileName))}")));
            Assert.All(open, o => Assert.All(o.Value, f => Assert.Equal("vectors.db", Path.GetFileName(f).Replace(".db-wal", ".db", StringComparison.Ordinal))));
            Assert.All(open.Where(o => !o.Key.StartsWith(EmbedderRole.Name, StringComparison.Ordinal)), o => Assert.Empty(o.Value));
            Assert.Equal(1, open.Count(o => o.Value.Count > 0));
            Assert.DoesNotContain(Directory.EnumerateFiles(pipeline.Data.Path, "*.db", SearchOption.AllDirectories), f => Path.GetFileName(f) != "vectors.db");
            Assert.Equal(FirstBatch + SecondBatch, await pipeline.Catalogue.CountAsync(MediaKind.Pair, CancellationToken.None));

            // Work was shared between the competing workers.
            var audioWorkers = pipeline.Workers.Where(w => w.Name == AudioFeaturesRole.Name).Select(w => w.Process.Id).ToList();
            var videoWorkers = pipeline.Workers.Where(w => w.Name == VideoFeaturesRole.Name).Select(w => w.Process.Id).ToList();
            var audioSplit = Split<AudioFeaturesExtracted>(pipeline, audioWorkers);
            var videoSplit = Split<VideoFeaturesExtracted>(pipeline, videoWorkers);
            output.WriteLine($"audio split across workers: {string.Join(" / ", audioSplit)}; video split: {string.Join(" / ", videoSplit)}");
            Assert.Equal(FirstBatch + SecondBatch, audioSplit.Sum());
            Assert.Equal(FirstBatch + SecondBatch + 1, videoSplit.Sum()); // and the upload
            Assert.All(audioSplit, n => Assert.True(n > 0, "an audio worker got no work"));
            Assert.All(videoSplit, n => Assert.True(n > 0, "a video worker got no work"));

            // One trace per media id, from the test's publish through ingest, features and the embedder.
            foreach (var (ingested, traceId) in first.Concat(second))
            {
                var seenBy = pipeline.Workers.Where(w => w.Process.Output.Contains(traceId, StringComparison.Ordinal)).Select(w => w.Name).Distinct().ToList();
                Assert.True(
                    seenBy.Contains(IngestRole.Name) && seenBy.Contains(AudioFeaturesRole.Name) && seenBy.Contains(VideoFeaturesRole.Name)
                    && seenBy.Any(n => n.StartsWith(EmbedderRole.Name, StringComparison.Ordinal)),
                    $"trace {traceId} of {ingested.MediaId} seen only by {string.Join(", ", seenBy)}");
            }

            // Exactly once in the store: stop the embedder and read what it left on disk.
            foreach (var worker in pipeline.Workers.Where(w => w.Name.StartsWith(EmbedderRole.Name, StringComparison.Ordinal)))
            {
                worker.Process.Kill();
            }

            using var store = new EmbeddedVectorStore(new DataDirectory(pipeline.Data.Path), Options.Create(new VectorStoreOptions()), NullLogger<EmbeddedVectorStore>.Instance);
            var generation = (await store.ListGenerationsAsync(CancellationToken.None)).Single(g => g.Generation == "test-v1");
            output.WriteLine($"store: {generation.MusicCount} music, {generation.VideoCount} video vectors in {generation.Generation}");
            Assert.True(generation.IsLive);
            Assert.Equal(FirstBatch + SecondBatch, generation.MusicCount);
            Assert.Equal(FirstBatch + SecondBatch + 1, generation.VideoCount);
        }
        catch
        {
            output.WriteLine(pipeline.Logs());
            throw;
        }
    }

    internal static async Task<List<(MediaIngested Item, string TraceId)>> IngestPairsAsync(Pipeline pipeline, int from, int count, TimeSpan timeout)
    {
        var requests = new List<(IngestRequested Request, string TraceId)>();
        for (var i = from; i < from + count; i++)
        {
            var file = await TestMedia.MusicVideoAsync(
                pipeline.Media.File($"pair-{i}.mp4"), seconds: 2, frequency: 220 + (55 * i), pattern: i % 2 == 0 ? "testsrc2" : "smptebars");
            requests.Add(await pipeline.IngestAsync(file, MediaKind.Pair));
        }

        var done = new List<(MediaIngested, string)>();
        foreach (var (request, traceId) in requests)
        {
            var ingested = await pipeline.Events.WaitAsync<MediaIngested>(m => m.CorrelationId == request.CorrelationId, timeout);
            await pipeline.Events.WaitAsync<AudioFeaturesExtracted>(a => a.MediaId == ingested.MediaId, timeout);
            await pipeline.Events.WaitAsync<VideoFeaturesExtracted>(v => v.MediaId == ingested.MediaId, timeout);
            done.Add((ingested, traceId));
        }

        return done;
    }

    internal static async Task WaitBothHalvesEmbeddedAsync(Pipeline pipeline, string mediaId, string version, TimeSpan timeout)
    {
        Assert.Null(await pipeline.Events.WaitEmbeddedAsync(mediaId, version, music: true, video: true, timeout));
    }

    private static int[] Split<T>(Pipeline pipeline, List<int> workers) =>
        workers.Select(pid => pipeline.Events.WithPublisher.Count(o => o.Message is T && o.PublisherProcessId == pid)).ToArray();
}
