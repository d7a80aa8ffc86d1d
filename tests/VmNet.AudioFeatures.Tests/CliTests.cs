using System.Text.Json;
using VmNet.Testing;

namespace VmNet.AudioFeatures.Tests;

/// <summary>The real <c>vmnet</c> executable: its JSON vector is the library's (and so the consumer's) vector.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Features_audio_json_equals_the_extractor_vector()
    {
        var ct = TestContext.Current.CancellationToken;
        var file = Path.Combine(ReferenceData.Folder, "inputs", "edge_sine440_3s_12k_mono.wav");
        var (exit, output) = await VmnetProcess.RunAsync(["features", "audio", file, "--json", "--frames"], TimeSpan.FromMinutes(3));
        Assert.True(exit == 0, output);

        using var json = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        var root = json.RootElement;
        Assert.Equal(["dim", "frames", "vector", "frameMatrix"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(AudioFeatureLayout.TrackDimension, root.GetProperty("dim").GetInt32());
        var frames = root.GetProperty("frames").GetInt32();
        var vector = root.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var matrix = root.GetProperty("frameMatrix").EnumerateArray().ToList();

        var expected = await new MusicFeatureExtractor().FromFileAsync(file, false, TimeSpan.FromMinutes(1), 3600, ct);
        Assert.Equal(expected.Frames, frames);
        Assert.Equal(expected.Vector, vector);
        Assert.Equal(frames, matrix.Count);
        Assert.All(matrix, row => Assert.Equal(AudioFeatureLayout.PerFrame, row.GetArrayLength()));

        // Column means of the frame matrix are the vector's first 380 values.
        var firstMean = matrix.Average(row => row[0].GetDouble());
        Assert.Equal(vector[0], firstMean, 1e-3);
    }
}
