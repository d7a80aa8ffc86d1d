using VmNet.AudioFeatures.Service;
using VmNet.Bench;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Embedder;
using VmNet.Ingest;
using VmNet.Media;
using VmNet.Search;
using VmNet.Search.Client;
using VmNet.Search.V1;
using VmNet.Storage;
using VmNet.Testing;
using VmNet.VideoFeatures.Service;
using MediaKind = VmNet.Contracts.MediaKind;

namespace VmNet.EndToEnd.Tests;

/// <summary>
/// The first part of issue 14's "done when", every role its own process on the real RabbitMQ: ten items ingested with
/// tags, external ids and labels are found again by external id, and their metadata comes back in search answers and in
/// SoundtrackSuggested (for the video and each track). Labels cross the real bus serializer both ways.
/// </summary>
public sealed class CatalogueOverRabbitMqTests(ITestOutputHelper output)
{
    private const int Items = 10;

    [Fact]
    public async Task Ten_items_with_metadata_are_found_by_external_id_and_described_in_answers_and_suggestions()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("catalogue");
        await using var pipeline = await Pipeline.StartAsync(broker, [IngestRole.Name], [AudioFeaturesRole.Name], [VideoFeaturesRole.Name]);
        var grpc = new Uri($"http://127.0.0.1:{Ports.Free()}");
        pipeline.StartWorker([EmbedderRole.Name, SearchRole.Name], new Dictionary<string, string> { ["Search__GrpcUrl"] = grpc.ToString() });
        await pipeline.WaitHealthyAsync();
        var timeout = TimeSpan.FromMinutes(4);
        try
        {
            var expected = new Dictionary<string, MediaMetadata>();
            var requests = new List<IngestRequested>();
            for (var i = 0; i < Items; i++)
            {
                var plain = await TestMedia.MusicVideoAsync(pipeline.Media.File($"plain-{i}.mp4"), seconds: 2, frequency: 220 + (55 * i), pattern: i % 2 == 0 ? "testsrc2" : "smptebars");
                var file = await TestMedia.TaggedAsync(plain, pipeline.Media.File($"item-{i}.mp4"), new Dictionary<string, string>
                {
                    ["title"] = $"Song {i}", ["artist"] = $"Band {i % 3}", ["album"] = "Tests",
                });
                var labels = new Dictionary<string, string> { ["mood"] = i % 2 == 0 ? "calm" : "dark", ["licence"] = "cc-by/4.0" };
                var (request, _) = await pipeline.IngestAsync(file, MediaKind.Pair, $"platform:{i}", labels);
                requests.Add(request);
                expected[$"platform:{i}"] = new MediaMetadata($"item-{i}.mp4", $"Song {i}", $"Band {i % 3}", "Tests", $"platform:{i}", labels);
            }

            var ids = new Dictionary<string, string>();
            foreach (var request in requests)
            {
                var ingested = await pipeline.Events.WaitAsync<MediaIngested>(m => m.CorrelationId == request.CorrelationId, timeout);
                Assert.Equal(expected[request.ExternalId!], ingested.Metadata);
                await pipeline.Events.WaitAsync<AudioFeaturesExtracted>(a => a.MediaId == ingested.MediaId, timeout);
                await pipeline.Events.WaitAsync<VideoFeaturesExtracted>(v => v.MediaId == ingested.MediaId, timeout);
                ids[ingested.MediaId] = request.ExternalId!;
            }

            var audio = pipeline.Events.OfType<AudioFeaturesExtracted>().First();
            var video = pipeline.Events.OfType<VideoFeaturesExtracted>().First();
            var location = RandomModel.Write(pipeline.Data.Path, "cat-v1", audio.Vector.Length, video.Vector.Length, seed: 3);
            await pipeline.Bus.Publish(new ModelPublished("cat-v1", Guid.NewGuid(), location,
                System.Collections.Immutable.ImmutableDictionary<string, double>.Empty, DateTimeOffset.UtcNow));
            await pipeline.Events.WaitAsync<ModelActivated>(a => a.ModelVersion == "cat-v1", timeout);

            using var client = new SearchClient(grpc);
            // Found by external id, with who it is and where it stands.
            foreach (var (mediaId, externalId) in ids)
            {
                var item = await client.Queries.GetMediaAsync(new GetMediaRequest { ExternalId = externalId });
                Assert.Equal(mediaId, item.MediaId);
                Assert.Equal(expected[externalId], About(item.Source, item.Title, item.Artist, item.Album, item.ExternalId, item.Labels));
                Assert.Equal((MediaStatus.Ready, "cat-v1", true, true), (item.Status, item.ModelVersion, item.Music.Embedded, item.Video.Embedded));
            }

            // Every match of a search answer says who it is.
            var reply = await client.FindMusicForVideoIdAsync(ids.Keys.First(), new QueryOptions { TopK = Items });
            Assert.Equal(Items, reply.Matches.Count);
            Assert.All(reply.Matches, m => Assert.Equal(expected[ids[m.MediaId]], About(m.Source, m.Title, m.Artist, m.Album, m.ExternalId, m.Labels)));

            // A video-only upload's suggestion names the video and every track.
            var upload = await TestMedia.VideoOnlyAsync(pipeline.Media.File("upload.mp4"), seconds: 2, pattern: "smptebars");
            var uploadLabels = new Dictionary<string, string> { ["channel"] = "uploads" };
            var (uploadRequest, _) = await pipeline.IngestAsync(upload, MediaKind.Video, "upload-1", uploadLabels);
            var uploaded = await pipeline.Events.WaitAsync<MediaIngested>(m => m.CorrelationId == uploadRequest.CorrelationId, timeout);
            var suggested = await pipeline.Events.WaitAsync<SoundtrackSuggested>(s => s.MediaId == uploaded.MediaId, timeout);
            output.WriteLine($"suggested for {uploaded.MediaId}: {string.Join(", ", suggested.Tracks.Select(t => $"{t.Metadata?.Title} ({t.Metadata?.ExternalId}) {t.Score:0.000}"))}");
            Assert.Equal(new MediaMetadata("upload.mp4", ExternalId: "upload-1", Labels: uploadLabels), suggested.Metadata);
            Assert.NotEmpty(suggested.Tracks);
            Assert.All(suggested.Tracks, t => Assert.Equal(expected[ids[t.MediaId]], t.Metadata));

            // And on disk: the catalogue the roles share has each item under its external id.
            var catalogue = pipeline.Catalogue;
            foreach (var (mediaId, externalId) in ids)
            {
                Assert.Equal(mediaId, (await catalogue.FindByExternalIdAsync(externalId, CancellationToken.None))!.MediaId);
            }
        }
        catch
        {
            output.WriteLine(pipeline.Logs());
            throw;
        }
    }

    private static MediaMetadata About(string source, string title, string artist, string album, string externalId, IDictionary<string, string> labels) =>
        new(source, title, artist, album, externalId, labels.ToDictionary());
}
