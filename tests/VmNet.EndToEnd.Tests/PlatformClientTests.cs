using System.Collections.Immutable;
using System.Text.Json;
using VmNet.AudioFeatures.Service;
using VmNet.Bench;
using VmNet.Contracts;
using VmNet.Embedder;
using VmNet.Ingest;
using VmNet.Search;
using VmNet.Testing;
using VmNet.VideoFeatures.Service;

namespace VmNet.EndToEnd.Tests;

/// <summary>
/// The bus as a public API: examples/python and examples/node, run as they are, publish a video-only upload to the
/// running roles on the real RabbitMQ and read its SoundtrackSuggested from a durable queue of their own. One pipeline
/// serves both clients; the Node client shows the queue keeps the answer while the platform is down.
/// </summary>
public sealed class PlatformClientTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    /// <summary>The interpreter python3-pika is installed for (scripts/apt-packages.txt), ahead of any pyenv on PATH.</summary>
    private static string DebianPython => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    [Fact]
    public async Task Python_and_Node_platforms_upload_a_video_and_receive_its_soundtrack_under_their_correlation_id()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("platform");
        var nodeExample = Path.Combine(RepoPaths.Root, "examples", "node");
        var pythonExample = Path.Combine(RepoPaths.Root, "examples", "python", "suggest.py");
        var npm = NodeTools.NpmCiAsync(nodeExample);
        await using var pipeline = await Pipeline.StartAsync(
            broker, [IngestRole.Name, AudioFeaturesRole.Name, VideoFeaturesRole.Name], [EmbedderRole.Name, SearchRole.Name]);
        try
        {
            // Catalogue music and a live model, as in MultiProcessPipelineTests.
            var pairs = await MultiProcessPipelineTests.IngestPairsAsync(pipeline, 0, 3, Timeout);
            var audio = pipeline.Events.OfType<AudioFeaturesExtracted>().First();
            var video = pipeline.Events.OfType<VideoFeaturesExtracted>().First();
            var location = RandomModel.Write(pipeline.Data.Path, "platform-v1", audio.Vector.Length, video.Vector.Length, seed: 3);
            await pipeline.Bus.Publish(new ModelPublished("platform-v1", Guid.NewGuid(), location, ImmutableDictionary<string, double>.Empty, DateTimeOffset.UtcNow));
            await pipeline.Events.WaitAsync<ModelActivated>(a => a.ModelVersion == "platform-v1", Timeout);
            var catalogue = pairs.Select(p => p.Item.MediaId).ToHashSet();
            await npm;

            // Python: publishes, then waits on its queue for the answer to its request.
            var pythonClip = await TestMedia.VideoOnlyAsync(pipeline.Media.File("python-upload.mp4"), seconds: 2, pattern: "smptebars");
            var python = await RunAsync(DebianPython, [pythonExample, "--rabbitmq", broker, "--queue", "python-platform-suggestions", "--timeout", "150", "upload", pythonClip, "--kind", "video"]);
            await AssertAnsweredAsync(pipeline, python, catalogue);

            // Node: publishes and exits; the suggestion is made while no client is connected; a new run receives it.
            var nodeClip = await TestMedia.VideoOnlyAsync(pipeline.Media.File("node-upload.mp4"), seconds: 2, pattern: "testsrc2");
            var published = await RunAsync("node", ["suggest.js", "--rabbitmq", broker, "--queue", "node-platform-suggestions", "upload", nodeClip, "--no-wait"], nodeExample);
            var correlationId = published.GetProperty("correlationId").GetGuid();
            await pipeline.Events.WaitAsync<SoundtrackSuggested>(s => s.CorrelationId == correlationId, Timeout);
            var stored = await RabbitMqBroker.CtlAsync("list_queues", "-p", new Uri(broker).AbsolutePath.TrimStart('/'), "name", "messages");
            output.WriteLine(stored);
            Assert.Matches(@"node-platform-suggestions\s+1", stored);
            var node = await RunAsync("node", ["suggest.js", "--rabbitmq", broker, "--queue", "node-platform-suggestions", "--timeout", "60", "receive", correlationId.ToString()], nodeExample);
            Assert.Equal(correlationId, node.GetProperty("correlationId").GetGuid());
            await AssertAnsweredAsync(pipeline, node, catalogue);
        }
        catch
        {
            output.WriteLine(pipeline.Logs());
            throw;
        }
    }

    /// <summary>
    /// The client printed a suggestion for its own upload, from the catalogue; and every step between its request and
    /// that answer carried its correlation id, so an answer finds its upload without a lookup.
    /// </summary>
    private async Task AssertAnsweredAsync(Pipeline pipeline, JsonElement suggestion, HashSet<string> catalogue)
    {
        var correlationId = suggestion.GetProperty("correlationId").GetGuid();
        var ingested = await pipeline.Events.WaitAsync<MediaIngested>(m => m.CorrelationId == correlationId, Timeout);
        Assert.Equal(MediaKind.Video, ingested.Kind);
        await pipeline.Events.WaitAsync<VideoFeaturesExtracted>(v => v.CorrelationId == correlationId && v.MediaId == ingested.MediaId, Timeout);
        await pipeline.Events.WaitAsync<MediaEmbedded>(e => e.CorrelationId == correlationId && e.MediaId == ingested.MediaId, Timeout);
        var suggested = await pipeline.Events.WaitAsync<SoundtrackSuggested>(s => s.CorrelationId == correlationId, Timeout);
        Assert.Equal(ingested.MediaId, suggested.MediaId);
        Assert.Equal(ingested.MediaId, suggestion.GetProperty("mediaId").GetString());
        Assert.Equal("platform-v1", suggestion.GetProperty("modelVersion").GetString());
        var tracks = suggestion.GetProperty("tracks").EnumerateArray().Select(t => t.GetProperty("mediaId").GetString()!).ToList();
        Assert.NotEmpty(tracks);
        Assert.All(tracks, t => Assert.Contains(t, catalogue));
    }

    private async Task<JsonElement> RunAsync(string program, string[] arguments, string? folder = null)
    {
        var (code, text) = await NodeTools.RunAsync(folder ?? RepoPaths.Root, program, arguments, Timeout);
        output.WriteLine($"$ {program} {string.Join(' ', arguments)}\n{text}");
        Assert.True(code == 0, $"{program} exited {code}:\n{text}");
        var line = text.Split('\n').Last(l => l.StartsWith('{'));
        return JsonDocument.Parse(line).RootElement.Clone();
    }
}
