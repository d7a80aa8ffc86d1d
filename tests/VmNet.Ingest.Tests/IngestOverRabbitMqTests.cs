using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Contracts;
using VmNet.Hosting;
using VmNet.Media;
using VmNet.Testing;

namespace VmNet.Ingest.Tests;

/// <summary>Ingest as its own <c>vmnet serve --role ingest</c> process, talking to this test over the real RabbitMQ.</summary>
public sealed class IngestOverRabbitMqTests
{
    [Fact]
    public async Task A_separate_ingest_process_answers_requests_published_by_the_test_and_by_vmnet_ingest()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("ingest");
        using var media = new TempFolder("media");
        using var data = new TempFolder("data");
        var clip = await TestMedia.MusicVideoAsync(media.File("sample.mp4"), seconds: 2);
        var health = $"http://127.0.0.1:{Ports.Free()}";
        using var worker = VmnetProcess.Start(
            ["serve", "--role", "ingest", "--transport", "rabbitmq", "--rabbitmq", broker, "--data", data.Path, "--urls", health],
            new Dictionary<string, string> { ["Ingest__MediaRoots__0"] = media.Path });
        await Ports.WaitHealthyAsync(health + "/health/ready", TimeSpan.FromMinutes(2), worker);

        // 1. This process publishes; the worker process answers.
        await using (var client = VmNetHost.BuildClient(
            new Dictionary<string, string?> { ["Bus:Transport"] = "RabbitMq", ["Bus:RabbitMq:Uri"] = broker, ["Storage:DataDir"] = data.Path },
            b => b.AddPipelineEvents()))
        {
            await client.StartAsync();
            var request = new IngestRequested(Guid.NewGuid(), clip, MediaKind.Pair, DateTimeOffset.UtcNow);
            await client.Services.GetRequiredService<MassTransit.IBus>().Publish(request);
            var ingested = await client.Services.GetRequiredService<PipelineEvents>()
                .WaitAsync<MediaIngested>(m => m.CorrelationId == request.CorrelationId, TimeSpan.FromMinutes(2));

            Assert.Equal(await MediaId.OfFileAsync(clip, CancellationToken.None), ingested.MediaId);
            Assert.True(File.Exists(new DataDirectory(data.Path).ResolveUri(ingested.AudioUri!)));
            Assert.True(File.Exists(new DataDirectory(data.Path).ResolveUri(ingested.VideoUri!)));
            await client.StopAsync();
        }

        // 2. The CLI, a third process, publishes and waits: media id and both parts' URIs come back.
        var (exit, output) = await VmnetProcess.RunAsync(
            ["ingest", clip, "--wait", "--json", "--transport", "rabbitmq", "--rabbitmq", broker, "--timeout", "120"],
            TimeSpan.FromMinutes(3));
        Assert.True(exit == 0, output);
        var json = output.Split('\n').Single(l => l.StartsWith('['));
        var result = JsonDocument.Parse(json).RootElement.EnumerateArray().Single();
        Assert.Equal("ingested", result.GetProperty("status").GetString());
        Assert.Equal(await MediaId.OfFileAsync(clip, CancellationToken.None), result.GetProperty("mediaId").GetString());
        Assert.EndsWith("/audio.wav", result.GetProperty("audioUri").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/video.mkv", result.GetProperty("videoUri").GetString(), StringComparison.Ordinal);

        // 3. Bad input over the bus: an answer, and the worker is still up.
        (exit, output) = await VmnetProcess.RunAsync(
            ["ingest", "../../etc/passwd", "--wait", "--json", "--transport", "rabbitmq", "--rabbitmq", broker, "--timeout", "120"],
            TimeSpan.FromMinutes(3), workingDirectory: media.Path);
        Assert.Equal(1, exit);
        Assert.Contains("outside the allowed media roots", output, StringComparison.Ordinal);
        Assert.False(worker.HasExited);
    }
}
