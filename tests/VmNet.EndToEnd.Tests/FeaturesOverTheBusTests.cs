using System.Text.Json;
using VmNet.Contracts;
using VmNet.ServiceDefaults;
using VmNet.Testing;
using VmNet.AudioFeatures.Service;
using VmNet.Ingest;
using VmNet.VideoFeatures.Service;

namespace VmNet.EndToEnd.Tests;

/// <summary>
/// Media sent through ingest and the feature workers as separate processes on RabbitMQ gives exactly the vectors that
/// <c>vmnet features audio|video</c> print for the original file: ingest's parts and the commands' own decoding agree.
/// </summary>
public sealed class FeaturesOverTheBusTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_ingested_track_gets_the_vector_the_features_command_prints()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("features");
        await using var pipeline = await Pipeline.StartAsync(broker, [IngestRole.Name], [AudioFeaturesRole.Name]);
        var timeout = TimeSpan.FromMinutes(3);
        try
        {
            // 44.1 kHz stereo Vorbis: the bus path resamples and downmixes in ingest, the command in its own decode.
            var file = pipeline.Media.File("battle-epic.ogg");
            File.Copy(Path.Combine(RepoPaths.TestData, "audio-ref", "inputs", "battle-epic.ogg"), file);
            var (request, _) = await pipeline.IngestAsync(file, MediaKind.Music);
            var ingested = await pipeline.Events.WaitAsync<MediaIngested>(m => m.CorrelationId == request.CorrelationId, timeout);
            var extracted = await pipeline.Events.WaitAsync<AudioFeaturesExtracted>(a => a.MediaId == ingested.MediaId, timeout);

            var (exit, printed) = await VmnetProcess.RunAsync(["features", "audio", file, "--json"], timeout);
            Assert.True(exit == 0, printed);
            using var json = JsonDocument.Parse(printed[printed.IndexOf('{', StringComparison.Ordinal)..]);
            var vector = json.RootElement.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()).ToArray();

            Assert.Equal(json.RootElement.GetProperty("frames").GetInt32(), extracted.Frames);
            Assert.Equal(vector, extracted.Vector.ToArray());
        }
        catch
        {
            output.WriteLine(pipeline.Logs());
            throw;
        }
    }

    [Fact]
    public async Task An_ingested_video_gets_the_vector_the_features_command_prints()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("features");
        await using var pipeline = await Pipeline.StartAsync(broker, [IngestRole.Name], [VideoFeaturesRole.Name]);
        var timeout = TimeSpan.FromMinutes(3);
        try
        {
            var file = await TestMedia.VideoOnlyAsync(pipeline.Media.File("upload.mp4"), seconds: 6, pattern: "smptebars");
            var (request, _) = await pipeline.IngestAsync(file, MediaKind.Video);
            var ingested = await pipeline.Events.WaitAsync<MediaIngested>(m => m.CorrelationId == request.CorrelationId, timeout);
            var extracted = await pipeline.Events.WaitAsync<VideoFeaturesExtracted>(v => v.MediaId == ingested.MediaId, timeout);

            var (exit, printed) = await VmnetProcess.RunAsync(["features", "video", file, "--json", "--data", pipeline.Data.Path], timeout);
            Assert.True(exit == 0, printed);
            using var json = JsonDocument.Parse(printed.Split('\n').Last(l => l.StartsWith('{')));
            var vector = json.RootElement.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()).ToArray();

            Assert.Equal(6, extracted.Frames);
            Assert.Equal(json.RootElement.GetProperty("frames").GetInt32(), extracted.Frames);
            Assert.Equal(vector, extracted.Vector.ToArray());
        }
        catch
        {
            output.WriteLine(pipeline.Logs());
            throw;
        }
    }
}
