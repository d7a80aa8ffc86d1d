using System.Text.Json;
using VmNet.Contracts;
using VmNet.ServiceDefaults;
using VmNet.Testing;

namespace VmNet.EndToEnd.Tests;

/// <summary>
/// A real track sent through ingest and audio-features as separate processes on RabbitMQ gives exactly the vector that
/// <c>vmnet features audio</c> prints for the original file: ingest's 12 kHz part and the command's own decode agree.
/// </summary>
public sealed class FeaturesOverTheBusTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_ingested_track_gets_the_vector_the_features_command_prints()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("features");
        await using var pipeline = await Pipeline.StartAsync(broker, [Role.Ingest], [Role.AudioFeatures]);
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
}
