using System.Collections.Immutable;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Onnx;
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

/// <summary>The faults real deployments see, each with its figures: sent, processed, lost, duplicated.</summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_broker_restart_mid_batch_loses_and_duplicates_nothing()
    {
        // A broker of its own: restarting the shared one would break the tests running beside this one.
        RabbitMqBroker.RequireUri();
        using var state = new TempFolder("rabbitmq-restart");
        var port = await StartOwnBrokerAsync(state.Path);
        try
        {
            var broker = $"amqp://guest:guest@127.0.0.1:{port}/";
            await using var pipeline = await Pipeline.StartAsync(broker, [IngestRole.Name], [AudioFeaturesRole.Name], [VideoFeaturesRole.Name], [EmbedderRole.Name]);
            const int sent = 6;
            var files = await MakePairsAsync(pipeline, sent);
            foreach (var file in files)
            {
                await pipeline.IngestAsync(file, MediaKind.Pair);
            }

            // Mid-batch: as soon as the first features are out, the broker goes down and comes back.
            await pipeline.Events.WaitAsync<AudioFeaturesExtracted>(_ => true, Timeout);
            await BrokerScriptAsync("stop", state.Path);
            await Task.Delay(TimeSpan.FromSeconds(2));
            await BrokerScriptAsync("start", state.Path, port.ToString(System.Globalization.CultureInfo.InvariantCulture));

            var ids = await Task.WhenAll(files.Select(f => MediaId.OfFileAsync(f, CancellationToken.None)));
            var stored = await WaitStoredAsync(pipeline, ids, pipeline);
            var processed = pipeline.Events.OfType<AudioFeaturesExtracted>().Count(a => ids.Contains(a.MediaId));
            output.WriteLine($"broker restart: sent {sent}, stored {stored.Count}, lost {sent - stored.Count}, " +
                             $"duplicated in store {stored.Count - stored.Select(s => s.MediaId).Distinct().Count()}, " +
                             $"audio results seen by the observer {processed} (its temporary queue does not outlive the broker)");
            Assert.Equal(sent, stored.Count);
            Assert.All(stored, s => Assert.True(s.MusicFeatures is not null && s.VideoFeatures is not null));
        }
        finally
        {
            await BrokerScriptAsync("stop", state.Path);
        }
    }

    [Fact]
    public async Task A_worker_killed_mid_message_is_redelivered_to_another_and_stored_once()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("kill");
        await using var pipeline = await Pipeline.StartAsync(broker, [IngestRole.Name], [AudioFeaturesRole.Name], [AudioFeaturesRole.Name], [VideoFeaturesRole.Name], [EmbedderRole.Name]);
        const int sent = 6;
        var files = await MakePairsAsync(pipeline, sent, seconds: 8);
        foreach (var file in files)
        {
            await pipeline.IngestAsync(file, MediaKind.Pair);
        }

        // Each audio worker takes one message at a time: the moment the victim finishes one, it has taken the next.
        var audioWorkers = pipeline.Workers.Where(w => w.Name == AudioFeaturesRole.Name).Select(w => w.Process).ToList();
        var first = await pipeline.Events.WaitAsync(m => m is AudioFeaturesExtracted, Timeout);
        var victimPid = pipeline.Events.WithPublisher.First(o => ReferenceEquals(o.Message, first)).PublisherProcessId;
        var victim = audioWorkers.Single(p => p.Id == victimPid);
        victim.Kill();
        var doneBeforeKill = pipeline.Events.WithPublisher.Count(o => o.Message is AudioFeaturesExtracted && o.PublisherProcessId == victimPid);

        var ids = await Task.WhenAll(files.Select(f => MediaId.OfFileAsync(f, CancellationToken.None)));
        var stored = await WaitStoredAsync(pipeline, ids, pipeline);
        var results = pipeline.Events.OfType<AudioFeaturesExtracted>().Where(a => ids.Contains(a.MediaId)).ToList();
        var survivor = pipeline.Events.WithPublisher.Count(o => o.Message is AudioFeaturesExtracted && o.PublisherProcessId != victimPid);
        output.WriteLine($"worker killed: sent {sent}, victim finished {doneBeforeKill} before it died, survivor finished {survivor}, " +
                         $"results {results.Count} for {results.Select(r => r.MediaId).Distinct().Count()} media, stored {stored.Count}, lost {sent - stored.Count}");
        Assert.Equal(sent, stored.Count);
        Assert.Equal(sent, results.Select(r => r.MediaId).Distinct().Count());
        Assert.True(survivor >= sent - doneBeforeKill, "the survivor did not pick up the victim's unacknowledged message");
    }

    [Fact]
    public async Task A_poison_message_lands_in_the_error_queue_with_its_reason_while_the_rest_flows()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("poison");
        await using var pipeline = await Pipeline.StartAsync(broker, [IngestRole.Name], [AudioFeaturesRole.Name], [VideoFeaturesRole.Name], [EmbedderRole.Name]);
        var files = await MakePairsAsync(pipeline, 3);

        // A malformed MediaIngested: the envelope names the type, the body cannot be read as one.
        await PublishRawAsync(broker, "VmNet.Contracts:MediaIngested",
            """{"messageId":"5f0c0000-0000-0000-0000-000000000001","messageType":["urn:message:VmNet.Contracts:MediaIngested"],"message":{"mediaId":{"not":"a string"},"kind":"banana","audioUri":42}}""");
        foreach (var file in files)
        {
            await pipeline.IngestAsync(file, MediaKind.Pair);
        }

        var ids = await Task.WhenAll(files.Select(f => MediaId.OfFileAsync(f, CancellationToken.None)));
        var stored = await WaitStoredAsync(pipeline, ids, pipeline);
        Assert.Equal(files.Count, stored.Count);

        var errors = await WaitErrorQueuesAsync(broker, ["audio", "video"]);
        foreach (var (queue, reason) in errors)
        {
            output.WriteLine($"poison: {queue} holds it, reason: {reason}");
        }

        // Only the poison message failed, in the queues of MediaIngested's consumers (the embedder reads it for the
        // kind, the test's observer for its events): no other queue has an error.
        var vhost = Uri.UnescapeDataString(new Uri(broker).AbsolutePath.TrimStart('/'));
        var others = (await RabbitMqBroker.CtlAsync("list_queues", "-p", vhost, "name", "messages", "--no-table-headers"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('\t'))
            .Where(q => q[0].EndsWith("_error", StringComparison.Ordinal) && q[1] != "0"
                        && !new[] { "audio-features", "video-features", "embedder-features", "pipeline-events" }.Any(c => q[0].StartsWith(c, StringComparison.Ordinal)))
            .Select(q => $"{q[0]} ({q[1]})")
            .ToList();
        Assert.True(others.Count == 0, $"unexpected errors in {string.Join(", ", others)}\n{pipeline.Logs()}");
        Assert.Contains(errors, e => e.Queue.Contains("audio", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Queue.Contains("video", StringComparison.Ordinal));
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
        Assert.All(pipeline.Workers, w => Assert.False(w.Process.HasExited, $"{w.Name} died"));
    }

    [Fact]
    public async Task A_model_swap_mid_batch_embeds_no_item_under_a_mixed_model()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("swap");
        await using var pipeline = await Pipeline.StartAsync(broker, [IngestRole.Name], [AudioFeaturesRole.Name], [VideoFeaturesRole.Name], [EmbedderRole.Name, SearchRole.Name]);
        var warmup = await MultiProcessPipelineTests.IngestPairsAsync(pipeline, 0, 1, Timeout);
        var musicDim = pipeline.Events.OfType<AudioFeaturesExtracted>().First().Vector.Length;
        var videoDim = pipeline.Events.OfType<VideoFeaturesExtracted>().First().Vector.Length;
        await PublishModelAsync(pipeline, "swap-v1", musicDim, videoDim, seed: 1);

        const int batch = 6;
        var files = await MakePairsAsync(pipeline, batch, offset: 10);
        for (var i = 0; i < files.Count; i++)
        {
            await pipeline.IngestAsync(files[i], MediaKind.Pair);
            if (i == batch / 2)
            {
                await PublishModelAsync(pipeline, "swap-v2", musicDim, videoDim, seed: 2, wait: false);
            }
        }

        await pipeline.Events.WaitAsync<ModelActivated>(a => a.ModelVersion == "swap-v2", Timeout);
        var ids = (await Task.WhenAll(files.Select(f => MediaId.OfFileAsync(f, CancellationToken.None)))).Append(warmup[0].Item.MediaId).ToList();
        foreach (var id in ids)
        {
            await pipeline.Events.WaitAsync<VideoFeaturesExtracted>(v => v.MediaId == id, Timeout);
            await pipeline.Events.WaitAsync<AudioFeaturesExtracted>(a => a.MediaId == id, Timeout);
        }

        // Items that arrived during the swap are embedded on arrival or by the re-embed: let the embedder settle.
        await MultiProcessPipelineTests.WaitQuietAsync(pipeline, TimeSpan.FromSeconds(8), Timeout);

        foreach (var worker in pipeline.Workers.Where(w => w.Name.StartsWith(EmbedderRole.Name, StringComparison.Ordinal)))
        {
            worker.Process.Kill();
        }

        // Every stored vector must be exactly what its generation's own model makes of the item's raw features.
        var data = new DataDirectory(pipeline.Data.Path);
        var catalogue = new SqliteFeatureCatalogue(data);
        using var store = new EmbeddedVectorStore(data, Options.Create(new VectorStoreOptions()), NullLogger<EmbeddedVectorStore>.Instance);
        var mixed = 0;
        var checkedVectors = 0;
        foreach (var version in new[] { "swap-v1", "swap-v2" })
        {
            using var model = OnnxEmbeddingModel.Load(Path.Combine(data.Models, version));
            foreach (var id in ids)
            {
                var item = (await catalogue.GetAsync(id, CancellationToken.None))!;
                foreach (var (modality, raw) in new[] { (Modality.Music, item.MusicFeatures!), (Modality.Video, item.VideoFeatures!) })
                {
                    var stored = await store.GetVectorAsync(version, modality, id, CancellationToken.None);
                    if (stored is null)
                    {
                        Assert.Equal("swap-v1", version);
                        continue;
                    }

                    var expected = modality == Modality.Music ? model.EmbedMusic([raw])[0] : model.EmbedVideo([raw])[0];
                    checkedVectors++;
                    if (expected.Zip(stored).Max(p => MathF.Abs(p.First - p.Second)) > 1e-4f)
                    {
                        mixed++;
                    }
                }
            }
        }

        var live = (await store.ListGenerationsAsync(CancellationToken.None)).Single(g => g.IsLive);
        output.WriteLine($"model swap: {ids.Count} items, {checkedVectors} stored vectors checked against their generation's model, {mixed} mixed; live {live.Generation} holds {live.MusicCount} music / {live.VideoCount} video");
        Assert.Equal("swap-v2", live.Generation);
        Assert.Equal(ids.Count, live.MusicCount);
        Assert.Equal(ids.Count, live.VideoCount);
        Assert.Equal(0, mixed);
    }

    private static async Task PublishModelAsync(Pipeline pipeline, string version, int musicDim, int videoDim, int seed, bool wait = true)
    {
        var location = RandomModel.Write(pipeline.Data.Path, version, musicDim, videoDim, seed);
        await pipeline.Bus.Publish(new ModelPublished(version, Guid.NewGuid(), location, ImmutableDictionary<string, double>.Empty, DateTimeOffset.UtcNow));
        if (wait)
        {
            await pipeline.Events.WaitAsync<ModelActivated>(a => a.ModelVersion == version, Timeout);
        }
    }

    private static async Task<List<string>> MakePairsAsync(Pipeline pipeline, int count, double seconds = 2, int offset = 0)
    {
        var files = new List<string>();
        for (var i = offset; i < offset + count; i++)
        {
            files.Add(await TestMedia.MusicVideoAsync(pipeline.Media.File($"fault-{i}.mp4"), seconds, 200 + (37 * i), i % 2 == 0 ? "testsrc2" : "smptebars"));
        }

        return files;
    }

    /// <summary>Polls the durable catalogue (not the events) until every id has both features.</summary>
    private static async Task<List<CatalogueItem>> WaitStoredAsync(Pipeline pipeline, IReadOnlyCollection<string> ids, Pipeline logs)
    {
        var catalogue = new SqliteFeatureCatalogue(new DataDirectory(pipeline.Data.Path));
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var items = new List<CatalogueItem>();
            await foreach (var item in catalogue.ListAsync(null, CancellationToken.None))
            {
                items.Add(item);
            }

            var done = items.Where(i => ids.Contains(i.MediaId) && i.MusicFeatures is not null && i.VideoFeatures is not null).ToList();
            if (done.Count == ids.Count)
            {
                return done;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{done.Count} of {ids.Count} stored\n{logs.Logs()}");
            }

            await Task.Delay(500);
        }
    }

    private static async Task PublishRawAsync(string broker, string exchange, string json)
    {
        var factory = new ConnectionFactory { Uri = new Uri(broker) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true, MessageId = Guid.NewGuid().ToString() };
        await channel.BasicPublishAsync(exchange, string.Empty, mandatory: false, properties, Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Reads one message from each worker error queue whose name contains one of <paramref name="parts"/>.</summary>
    private static async Task<List<(string Queue, string Reason)>> WaitErrorQueuesAsync(string broker, string[] parts)
    {
        var vhost = Uri.UnescapeDataString(new Uri(broker).AbsolutePath.TrimStart('/'));
        var deadline = DateTime.UtcNow + Timeout;
        var found = new List<(string, string)>();
        var factory = new ConnectionFactory { Uri = new Uri(broker) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        while (found.Count < parts.Length && DateTime.UtcNow < deadline)
        {
            var queues = (await RabbitMqBroker.CtlAsync("list_queues", "-p", vhost, "name", "--no-table-headers"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(q => q.EndsWith("_error", StringComparison.Ordinal) && parts.Any(p => q.Contains(p, StringComparison.Ordinal)))
                .Where(q => found.All(f => f.Item1 != q));
            foreach (var queue in queues)
            {
                var message = await channel.BasicGetAsync(queue, autoAck: false);
                if (message is null)
                {
                    continue;
                }

                var headers = message.BasicProperties.Headers ?? new Dictionary<string, object?>();
                var reason = headers.TryGetValue("MT-Fault-Message", out var value) && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : string.Empty;
                found.Add((queue, reason));
            }

            await Task.Delay(500);
        }

        return found;
    }

    // A free port can be taken by another process before the broker binds it (many test processes start servers on
    // the machine at once): the first start tries a fresh port, at most three times.
    private static async Task<int> StartOwnBrokerAsync(string state)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = Ports.Free();
            try
            {
                await BrokerScriptAsync("start", state, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return port;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await BrokerScriptAsync("stop", state);
            }
        }
    }

    private static async Task BrokerScriptAsync(params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(Path.Combine(RepoPaths.Root, "scripts", "rabbitmq.sh"), arguments, TimeSpan.FromMinutes(3), CancellationToken.None);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmq.sh {string.Join(' ', arguments)}: {result.StandardError}");
        }
    }
}
