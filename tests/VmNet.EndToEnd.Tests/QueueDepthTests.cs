using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using VmNet.Hosting;
using VmNet.ServiceDefaults;
using VmNet.Testing;
using VmNet.AudioFeatures.Service;

namespace VmNet.EndToEnd.Tests;

/// <summary>Queue depths as metrics, read from the real broker for the queues a role consumes from.</summary>
public sealed class QueueDepthTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_role_on_RabbitMQ_reports_the_depth_and_consumers_of_its_queues_as_gauges()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("depth");

        // A queue nobody consumes, holding three messages: its depth must read 3.
        const string Parked = "depth-parked";
        var factory = new ConnectionFactory { Uri = new Uri(broker) };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(Parked, durable: true, exclusive: false, autoDelete: false);
            for (var i = 0; i < 3; i++)
            {
                await channel.BasicPublishAsync(string.Empty, Parked, mandatory: false, new BasicProperties { Persistent = true }, new byte[] { 1 });
            }
        }

        var measured = new List<(string Instrument, string Queue, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Telemetry.MeterName && instrument.Name.StartsWith("vmnet.queue.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var queue = tags.ToArray().FirstOrDefault(t => t.Key == "queue").Value as string ?? string.Empty;
            lock (measured)
            {
                measured.Add((instrument.Name, queue, value));
            }
        });
        listener.Start();

        var app = VmNetHost.Build(
            [AudioFeaturesRole.Name],
            new Dictionary<string, string?> { ["Bus:Transport"] = "RabbitMq", ["Bus:RabbitMq:Uri"] = broker, ["Search:GrpcUrl"] = "http://127.0.0.1:0", ["Search:HttpUrl"] = "http://127.0.0.1:0" });
        await using (app)
        {
            await app.StartAsync();
            var queues = app.Services.GetRequiredService<ConsumedQueues>();
            queues.Add(Parked);
            var monitor = app.Services.GetRequiredService<QueueDepthMonitor>();
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            while (!(monitor.Last.ContainsKey(Parked) && monitor.Last.Keys.Any(q => q.StartsWith("audio-features", StringComparison.Ordinal))))
            {
                Assert.True(DateTime.UtcNow < deadline, $"no depths read within a minute; queues: {string.Join(", ", queues.Names)}");
                await Task.Delay(250);
            }

            listener.RecordObservableInstruments();
            await app.StopAsync();
        }

        lock (measured)
        {
            output.WriteLine(string.Join('\n', measured.Select(m => $"{m.Instrument} {m.Queue} = {m.Value}")));
            Assert.Contains((QueueDepthMonitor.DepthInstrument, Parked, 3L), measured);
            Assert.Contains((QueueDepthMonitor.ConsumersInstrument, Parked, 0L), measured);
            Assert.Contains(measured, m => m.Instrument == QueueDepthMonitor.ConsumersInstrument && m.Queue == "audio-features-media-ingested" && m.Value >= 1);
            Assert.DoesNotContain(measured, m => m.Queue == Parked + "_error");
        }
    }
}
