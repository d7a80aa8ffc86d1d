using System.Text;
using System.Text.Json;
using VmNet.Media;
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
        Assert.Equal(["file", "dim", "frames", "vector", "frameMatrix"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(file, root.GetProperty("file").GetString());
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

    /// <summary>Many files, one process: a JSON line per good file in the order given, a line on stderr per bad one, exit 1.</summary>
    [Fact]
    public async Task Features_audio_of_many_files_prints_a_line_each_and_fails_per_file()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder("cli-many");
        var notAudio = folder.File("notes.ogg");
        await File.WriteAllTextAsync(notAudio, "not audio at all", ct);
        var sine = Path.Combine(ReferenceData.Folder, "inputs", "edge_sine440_3s_12k_mono.wav");
        var elf = Path.Combine(ReferenceData.Folder, "inputs", "elf-land.ogg");
        string[] files = [sine, folder.File("missing.ogg"), elf, notAudio, sine];

        var result = await ProcessRunner.RunAsync(
            "dotnet", [VmnetProcess.HostDll, "features", "audio", .. files, "--json"], TimeSpan.FromMinutes(3), ct, captureStdout: true);

        Assert.Equal(1, result.ExitCode);
        var lines = Encoding.UTF8.GetString(result.StandardOutput).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([sine, elf, sine], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("file").GetString()));
        var expected = await new MusicFeatureExtractor().FromFileAsync(elf, false, TimeSpan.FromMinutes(1), 3600, ct);
        Assert.Equal(expected.Vector, JsonDocument.Parse(lines[1]).RootElement.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()));
        var errors = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, errors.Length);
        Assert.StartsWith($"vmnet: no such file: {folder.File("missing.ogg")}", errors[0], StringComparison.Ordinal);
        Assert.StartsWith($"vmnet: {notAudio}: ", errors[1], StringComparison.Ordinal);
    }
}
