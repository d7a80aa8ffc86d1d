using System.Text.Json;
using VmNet.Testing;

namespace VmNet.EndToEnd.Tests;

/// <summary><c>vmnet bench pipeline</c> runs both layouts through to searchable items and reports consistent figures.</summary>
public sealed class PipelineBenchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_pipeline_benchmark_measures_the_embedded_and_the_distributed_layout_in_one_run()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("bench");
        using var data = new TempFolder("bench-data");
        var (exit, text) = await VmnetProcess.RunAsync(
            ["bench", "pipeline", "--pairs", "3", "--latency-samples", "2", "--seconds", "3", "--audio-workers", "2", "--data", data.Path, "--rabbitmq", broker, "--json"],
            TimeSpan.FromMinutes(8));
        output.WriteLine(text);
        Assert.Equal(0, exit);

        // stdout and stderr arrive together here; the result is the one JSON line.
        using var json = JsonDocument.Parse(text.Split('\n').Single(l => l.StartsWith("{\"", StringComparison.Ordinal)));
        var modes = json.RootElement.GetProperty("modes").EnumerateArray().ToList();
        Assert.Equal(["embedded", "distributed"], modes.Select(m => m.GetProperty("mode").GetString()));
        foreach (var mode in modes)
        {
            Assert.Equal(3, mode.GetProperty("pairs").GetInt32());
            var elapsed = mode.GetProperty("elapsedSeconds").GetDouble();
            Assert.Equal(3 / elapsed * 3600, mode.GetProperty("pairsPerHour").GetDouble(), 6);
            var idle = mode.GetProperty("idle");
            var load = mode.GetProperty("underLoad");
            Assert.Equal(2, idle.GetProperty("count").GetInt32());
            Assert.Equal(3, load.GetProperty("count").GetInt32());
            Assert.InRange(idle.GetProperty("p50").GetDouble(), 0.01, idle.GetProperty("p95").GetDouble());
            Assert.InRange(load.GetProperty("p95").GetDouble(), load.GetProperty("p50").GetDouble(), elapsed);
        }

        Assert.Contains("2× audio-features", modes[1].GetProperty("layout").GetString(), StringComparison.Ordinal);
        Assert.True(json.RootElement.GetProperty("throughputRatio").GetDouble() > 0);

        // Run folders are removed; the generated corpus stays for the next run.
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(data.Path, "bench"), "pipeline-*"));
        Assert.Single(Directory.EnumerateDirectories(Path.Combine(data.Path, "bench"), "corpus-*"));
    }
}
