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

/// <summary>
/// The faults real deployments see. Loss and duplicates are counted from the delivery ledger every role process
/// writes (<c>Bus:DeliveryLedger</c>): exactly one message consumed per item and stage, checked once nothing is left
/// to deliver. Every wait is for a condition and fails loudly at its deadline.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_broker_restart_with_a_quarter_of_the_batch_in_flight_loses_and_duplicates_nothing()
    {
        // A broker of its own: restarting the shared one would break the tests running beside this one.
        RabbitMqBroker.RequireUri();
        using var state = new TempFolder("rabbitmq-restart");
        var port = await StartOwnBrokerAsync(state.Path);
        var ctl = Path.Combine(state.Path, "rabbitmqctl");
        try
        {
            var broker = $"amqp://guest:guest@127.0.0.1:{port}/";
            await using var pipeline = await Pipeline.StartAsync(broker, [IngestRole.Name], [AudioFeaturesRole.Name], [VideoFeaturesRole.Name], [EmbedderRole.Name]);
            var (files, ids) = await IngestBatchAsync(pipeline, 8, seconds: 4);

            var atStop = await WaitInFlightAsync(pipeline, ids, atLeast: ids.Count / 4);
            await BrokerScriptAsync("stop", state.Path);
            await BrokerScriptAsync("start", state.Path, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            output.WriteLine($"broker restarted with {atStop.InFlight} of {ids.Count} in flight, {atStop.Done} done");
            Assert.True(atStop.Done < ids.Count, "the batch was over before the broker went down");

            await AssertExactlyOnceAsync(pipeline, ids, ctl, "/");
        }
        finally
        {
            await BrokerScriptAsync("stop", state.Path);
        }
    }

    [Fact]
    public async Task A_worker_killed_while_it_holds_an_unacknowledged_message_has_it_redelivered_to_another()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("kill");
        await using var pipeline = await Pipeline.StartAsync(broker, [IngestRole.Name], [AudioFeaturesRole.Name], [AudioFeaturesRole.Name], [VideoFeaturesRole.Name], [EmbedderRole.Name]);
        var (_, ids) = await IngestBatchAsync(pipeline, 6, seconds: 20);

        // The ledger's Received with no end is the message the worker holds unacknowledged. Polled and killed at once;
        // if the worker finished it in between, that kill proves nothing: a fresh worker joins and the next one is tried.
        DeliveryRecord? held = null;
        for (var attempt = 1; held is null; attempt++)
        {
            var audioWorkers = pipeline.Workers.Where(w => w.Name == AudioFeaturesRole.Name && !w.Process.HasExited).Select(w => w.Process).ToList();
            var (victim, candidate) = await WaitHeldAsync(pipeline, "audio-features", audioWorkers);
            victim.Kill();
            var after = await pipeline.Ledger.ReadAsync(CancellationToken.None);
            if (!after.Any(r => r.Phase != DeliveryPhase.Received && r.MessageId == candidate.MessageId && r.Process == candidate.Process))
            {
                held = candidate;
                output.WriteLine($"attempt {attempt}: killed {candidate.Process} holding {candidate.MessageType} {candidate.MessageId} of {candidate.MediaId}");
            }
            else
            {
                Assert.True(attempt < 5, "five kills in a row came after the worker had finished its message");
                pipeline.StartWorker([AudioFeaturesRole.Name]);
                await pipeline.WaitHealthyAsync();
            }
        }

        DeliveryRecord taken = held;
        var redelivery = await WaitLedgerAsync(pipeline, records => records.FirstOrDefault(r =>
            r.MessageId == taken.MessageId && r.Queue == taken.Queue && r.Phase == DeliveryPhase.Consumed && r.Process != taken.Process),
            $"the redelivery of {taken.MessageId}");
        var received = (await pipeline.Ledger.ReadAsync(CancellationToken.None)).Where(r => r.MessageId == taken.MessageId && r.Queue == taken.Queue && r.Phase == DeliveryPhase.Received).ToList();
        output.WriteLine($"redelivered to {redelivery.Process}; deliveries of that message: {string.Join(", ", received.Select(r => $"{r.Process} redelivered={r.Redelivered}"))}");
        Assert.Contains(received, r => r.Process != taken.Process && r.Redelivered);

        await AssertExactlyOnceAsync(pipeline, ids, RabbitMqBroker.RabbitMqCtl, VirtualHost(broker));
    }

    [Fact]
    public async Task The_embedder_killed_mid_write_is_restarted_and_every_item_is_stored_and_embedded_once()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("embedder-kill");
        await using var pipeline = await Pipeline.StartAsync(broker, [IngestRole.Name], [AudioFeaturesRole.Name], [VideoFeaturesRole.Name], [EmbedderRole.Name]);
        var warmup = await MultiProcessPipelineTests.IngestPairsAsync(pipeline, 0, 1, Timeout);
        var musicDim = pipeline.Events.OfType<AudioFeaturesExtracted>().First().Vector.Length;
        var videoDim = pipeline.Events.OfType<VideoFeaturesExtracted>().First().Vector.Length;
        await PublishModelAsync(pipeline, "kill-v1", musicDim, videoDim, seed: 1);
        var (_, ids) = await IngestBatchAsync(pipeline, 8, seconds: 2, offset: 10);

        // Killed the moment it has taken a message and not finished it: its catalogue and vector writes for that
        // message are under way or not yet begun, and the broker holds the message for the next embedder.
        var killed = 0;
        var provable = 0;
        while (provable == 0)
        {
            var embedder = pipeline.Workers.Last(w => w.Name == EmbedderRole.Name).Process;
            var (victim, candidate) = await WaitHeldAsync(pipeline, "embedder", [embedder]);
            victim.Kill();
            killed++;
            var after = await pipeline.Ledger.ReadAsync(CancellationToken.None);
            if (!after.Any(r => r.Phase != DeliveryPhase.Received && r.MessageId == candidate.MessageId && r.Process == candidate.Process))
            {
                provable++;
                output.WriteLine($"kill {killed}: embedder {candidate.Process} died holding {candidate.MessageType} of {candidate.MediaId}");
            }

            Assert.True(killed <= 6, "six kills in a row came after the embedder had finished its message");
            pipeline.StartWorker([EmbedderRole.Name]);
            await pipeline.WaitHealthyAsync();
        }

        // Settled (checked by the audit) means every embedding is written: it happens inside the consumer.
        await AssertExactlyOnceAsync(pipeline, ids, RabbitMqBroker.RabbitMqCtl, VirtualHost(broker));
        foreach (var worker in pipeline.Workers.Where(w => w.Name == EmbedderRole.Name))
        {
            worker.Process.Kill();
        }

        using var store = new EmbeddedVectorStore(new DataDirectory(pipeline.Data.Path), Options.Create(new VectorStoreOptions()), NullLogger<EmbeddedVectorStore>.Instance);
        var live = (await store.ListGenerationsAsync(CancellationToken.None)).Single(g => g.IsLive);
        output.WriteLine($"embedder killed {killed} times; live {live.Generation}: {live.MusicCount} music / {live.VideoCount} video vectors for {ids.Count + 1} items");
        Assert.Equal((ids.Count + 1, ids.Count + 1), (live.MusicCount, live.VideoCount));
        foreach (var id in ids.Append(warmup[0].Item.MediaId))
        {
            Assert.NotNull(await store.GetVectorAsync("kill-v1", Modality.Music, id, CancellationToken.None));
            Assert.NotNull(await store.GetVectorAsync("kill-v1", Modality.Video, id, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Every_process_restarted_mid_batch_loses_and_duplicates_nothing()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("restart-all");
        string[][] roles = [[IngestRole.Name], [AudioFeaturesRole.Name], [VideoFeaturesRole.Name], [EmbedderRole.Name]];
        await using var pipeline = await Pipeline.StartAsync(broker, roles);
        var (_, ids) = await IngestBatchAsync(pipeline, 8, seconds: 4);

        var atKill = await WaitInFlightAsync(pipeline, ids, atLeast: ids.Count / 4);
        foreach (var (_, process) in pipeline.Workers.ToList())
        {
            process.Kill();
        }

        output.WriteLine($"every process killed with {atKill.InFlight} of {ids.Count} in flight, {atKill.Done} done");
        Assert.True(atKill.Done < ids.Count, "the batch was over before the processes died");
        foreach (var set in roles)
        {
            pipeline.StartWorker(set);
        }

        await pipeline.WaitHealthyAsync();
        await AssertExactlyOnceAsync(pipeline, ids, RabbitMqBroker.RabbitMqCtl, VirtualHost(broker));
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
        var stored = await WaitStoredAsync(pipeline, ids);
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

        // Items that arrived during the swap are embedded on arrival or by the re-embed: the embedder has settled once
        // it has finished every delivery it took and the broker holds nothing for it.
        await WaitSettledAsync(pipeline, RabbitMqBroker.RabbitMqCtl, VirtualHost(broker));

        foreach (var worker in pipeline.Workers.Where(w => w.Name.StartsWith(EmbedderRole.Name, StringComparison.Ordinal)))
        {
            worker.Process.Kill();
        }

        // Every stored vector must be exactly what its generation's own model makes of the item's raw features.
        var data = new DataDirectory(pipeline.Data.Path);
        var catalogue = pipeline.Catalogue;
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

    private static async Task<(List<string> Files, List<string> Ids)> IngestBatchAsync(Pipeline pipeline, int count, double seconds, int offset = 0)
    {
        var files = await MakePairsAsync(pipeline, count, seconds, offset);
        foreach (var file in files)
        {
            await pipeline.IngestAsync(file, MediaKind.Pair);
        }

        var ids = (await Task.WhenAll(files.Select(f => MediaId.OfFileAsync(f, CancellationToken.None)))).ToList();
        return (files, ids);
    }

    /// <summary>
    /// Waits until at least <paramref name="atLeast"/> items of the batch are in flight: some stage has taken them and
    /// the embedder has not yet stored both halves.
    /// </summary>
    private static async Task<(int InFlight, int Done)> WaitInFlightAsync(Pipeline pipeline, IReadOnlyCollection<string> ids, int atLeast)
    {
        (int InFlight, int Done) counts = default;
        await WaitLedgerAsync(pipeline, records =>
        {
            var started = records.Where(r => r.MediaId is not null && ids.Contains(r.MediaId)).Select(r => r.MediaId!).ToHashSet();
            var done = records.Where(r => r.Phase == DeliveryPhase.Consumed && r.Queue.StartsWith(EmbedderRole.Name, StringComparison.Ordinal)
                                          && r.MessageType is nameof(AudioFeaturesExtracted) or nameof(VideoFeaturesExtracted))
                .GroupBy(r => r.MediaId!).Where(g => ids.Contains(g.Key) && g.Select(r => r.MessageType).Distinct().Count() == 2).Count();
            counts = (started.Count - done, done);
            return counts.InFlight >= atLeast ? (object?)counts : null;
        }, $"{atLeast} of the batch in flight");
        return counts;
    }

    /// <summary>A delivery to one of <paramref name="processes"/> on a queue of <paramref name="role"/> that it has taken and not finished.</summary>
    private static async Task<(VmnetProcess Victim, DeliveryRecord Held)> WaitHeldAsync(Pipeline pipeline, string role, IReadOnlyList<VmnetProcess> processes)
    {
        var names = processes.ToDictionary(Pipeline.LedgerName);
        var held = await WaitLedgerAsync(pipeline, records => DeliveryAudit.Unfinished(records)
            .FirstOrDefault(r => r.Queue.StartsWith(role, StringComparison.Ordinal) && r.MediaId is not null && names.ContainsKey(r.Process)),
            $"a {role} process holding a message", poll: TimeSpan.FromMilliseconds(20));
        return (names[held.Process], held);
    }

    /// <summary>Polls the delivery ledger until <paramref name="found"/> answers; fails loudly at the deadline.</summary>
    private static async Task<T> WaitLedgerAsync<T>(Pipeline pipeline, Func<List<DeliveryRecord>, T?> found, string what, TimeSpan? poll = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var records = await pipeline.Ledger.ReadAsync(CancellationToken.None);
            if (found(records) is { } result)
            {
                return result;
            }

            if (DateTime.UtcNow > deadline)
            {
                var tail = string.Join("\n", records.TakeLast(40).Select(r => $"{r.At:HH:mm:ss.fff} {r.Process} {DeliveryAudit.StageOf(r)} {r.MediaId} {r.Phase}"));
                throw new TimeoutException($"no {what} within {Timeout}; {records.Count} ledger records, the last:\n{tail}\n{pipeline.Logs()}");
            }

            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>
    /// Every item stored with both halves; then, once nothing is left to deliver, exactly one message consumed per
    /// item and stage: a missing one is a loss, a second message a duplicate (both fail the test, with the ledger's word).
    /// </summary>
    private async Task AssertExactlyOnceAsync(Pipeline pipeline, IReadOnlyCollection<string> ids, string ctl, string vhost)
    {
        // Stored, or settled with some missing: a lost message shows at once in the audit, not after a timeout.
        await WaitStoredOrSettledAsync(pipeline, ids, ctl, vhost);
        await WaitSettledAsync(pipeline, ctl, vhost);
        var stored = await StoredAsync(pipeline, ids);
        var audit = DeliveryAudit.Of(await pipeline.Ledger.ReadAsync(CancellationToken.None), ids.ToList());
        output.WriteLine($"{ids.Count} sent, {stored.Count} stored; stages {string.Join(", ", audit.Stages)}; {audit}");
        Assert.True(audit.Lost == 0 && audit.Duplicated == 0, audit.ToString());
        Assert.Equal(ids.Count, stored.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), stored.Select(s => s.MediaId).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Waits until no role process holds a delivery it has not finished and the broker's queues hold no message,
    /// ready or unacknowledged (error queues aside: the audit counts what went there as lost). A late duplicate would
    /// still be in one or the other.
    /// </summary>
    private static async Task WaitSettledAsync(Pipeline pipeline, string ctl, string vhost)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await IsSettledAsync(pipeline, ctl, vhost))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not settled within {Timeout}: {await BusyAsync(pipeline, ctl, vhost)}\n{pipeline.Logs()}");
            }

            await Task.Delay(250);
        }
    }

    private static async Task<bool> IsSettledAsync(Pipeline pipeline, string ctl, string vhost) => await BusyAsync(pipeline, ctl, vhost) is null;

    /// <summary>What is still in flight (unfinished deliveries of live processes, queues with messages), or null.</summary>
    private static async Task<string?> BusyAsync(Pipeline pipeline, string ctl, string vhost)
    {
        var live = pipeline.Workers.Where(w => !w.Process.HasExited).Select(w => Pipeline.LedgerName(w.Process)).ToHashSet();
        var unfinished = DeliveryAudit.Unfinished(await pipeline.Ledger.ReadAsync(CancellationToken.None)).Count(r => live.Contains(r.Process));
        var result = await ProcessRunner.RunAsync(ctl, ["-q", "list_queues", "-p", vhost, "name", "messages_ready", "messages_unacknowledged", "--no-table-headers"],
            TimeSpan.FromMinutes(1), CancellationToken.None, captureStdout: true);
        var busy = System.Text.Encoding.UTF8.GetString(result.StandardOutput)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('\t'))
            .Where(q => q.Length == 3 && !q[0].EndsWith("_error", StringComparison.Ordinal) && (q[1] != "0" || q[2] != "0"))
            .Select(q => $"{q[0]} {q[1]}+{q[2]}")
            .ToList();
        return result.ExitCode == 0 && unfinished == 0 && busy.Count == 0
            ? null
            : $"{unfinished} deliveries unfinished, queues {string.Join(", ", busy)}{(result.ExitCode == 0 ? string.Empty : " (rabbitmqctl failed)")}";
    }

    private static string VirtualHost(string broker) => Uri.UnescapeDataString(new Uri(broker).AbsolutePath.TrimStart('/')) is { Length: > 0 } v ? v : "/";

    private static async Task WaitStoredOrSettledAsync(Pipeline pipeline, IReadOnlyCollection<string> ids, string ctl, string vhost)
    {
        var deadline = DateTime.UtcNow + Timeout;
        var settledBefore = false;
        while ((await StoredAsync(pipeline, ids)).Count < ids.Count)
        {
            // Settled on two polls a second apart: between a consumer's end and its publish reaching the next queue
            // there is a moment when nothing shows as in flight.
            var settled = await IsSettledAsync(pipeline, ctl, vhost);
            if (settled && settledBefore)
            {
                return;
            }

            settledBefore = settled;
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"neither stored nor settled within {Timeout}\n{pipeline.Logs()}");
            }

            await Task.Delay(1000);
        }
    }

    private static async Task<List<CatalogueItem>> StoredAsync(Pipeline pipeline, IReadOnlyCollection<string> ids)
    {
        var items = new List<CatalogueItem>();
        await foreach (var item in pipeline.Catalogue.ListAsync(null, CancellationToken.None))
        {
            if (ids.Contains(item.MediaId) && item.MusicFeatures is not null && item.VideoFeatures is not null)
            {
                items.Add(item);
            }
        }

        return items;
    }

    /// <summary>Polls the durable catalogue (not the events) until every id has both features.</summary>
    private static async Task<List<CatalogueItem>> WaitStoredAsync(Pipeline pipeline, IReadOnlyCollection<string> ids)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var items = new List<CatalogueItem>();
            await foreach (var item in pipeline.Catalogue.ListAsync(null, CancellationToken.None))
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
                throw new TimeoutException($"{done.Count} of {ids.Count} stored\n{pipeline.Logs()}");
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
