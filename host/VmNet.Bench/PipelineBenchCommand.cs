using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using VmNet.ServiceDefaults;
using VmNet.Commands;

namespace VmNet.Bench;

/// <summary><c>vmnet bench pipeline [--pairs N] [--seconds S] [--latency-samples M] [--transport rabbitmq --rabbitmq URI] [--json]</c>.</summary>
public static class PipelineBenchCommand
{
    public static Command Create()
    {
        var pairs = new Option<int>("--pairs") { Description = "Pairs ingested at once for the throughput figure", DefaultValueFactory = _ => 20 };
        var seconds = new Option<double>("--seconds") { Description = "Length of each generated music video in seconds", DefaultValueFactory = _ => 30 };
        var samples = new Option<int>("--latency-samples") { Description = "Pairs ingested one at a time for the idle latency figure", DefaultValueFactory = _ => 5 };
        var audioWorkers = new Option<int>("--audio-workers") { Description = "audio-features processes in the distributed layout", DefaultValueFactory = _ => 1 };
        var videoWorkers = new Option<int>("--video-workers") { Description = "video-features processes in the distributed layout", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated corpus", DefaultValueFactory = _ => 11 };
        var keep = new Option<bool>("--keep") { Description = "Keep each run's data dir (store, worker logs) under DATA/bench/" };
        var command = new Command(
            "pipeline",
            "Throughput (pairs/hour) and ingest → searchable latency (p50/p95) of the whole pipeline on generated music videos: "
            + "the embedded default, and, with --transport rabbitmq, every role as its own process on the broker, in the same run.")
        {
            pairs, seconds, samples, audioWorkers, videoWorkers, seed, keep,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var context = CommandContext.From(parse);
            var bus = context.Bus;
            var options = new PipelineBenchOptions
            {
                DataDirectory = context.DataPath,
                Pairs = parse.GetValue(pairs),
                Seconds = parse.GetValue(seconds),
                LatencySamples = parse.GetValue(samples),
                AudioWorkers = parse.GetValue(audioWorkers),
                VideoWorkers = parse.GetValue(videoWorkers),
                Seed = parse.GetValue(seed),
                Keep = parse.GetValue(keep),
                Distributed = bus.Transport == BusTransport.RabbitMq,
                BrokerUri = bus.RabbitMq.Uri,
            };
            var asJson = parse.GetValue(CliOptions.Json);
            // Progress on stderr: stdout carries only the figures.
            var result = await new PipelineBench(options, new InlineProgress<string>(line => error.WriteLine($"bench pipeline: {line}"))).RunAsync(ct);
            await output.WriteLineAsync(asJson ? JsonSerializer.Serialize(result, CliJson.Options) : Table(result));
            return 0;
        });
        return command;
    }

    public static string Table(PipelineBenchResult r)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"pipeline: {r.Pairs} pairs of {r.Seconds:0.##} s at once, {r.Cores} cores; latency = ingest request → both halves searchable");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"layout",-12}{"pairs/h",10}{"batch s",10}{"idle p50",10}{"idle p95",10}{"load p50",10}{"load p95",10}");
        foreach (var m in r.Modes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{m.Mode,-12}{m.PairsPerHour,10:0}{m.ElapsedSeconds,10:0.0}{m.Idle.P50,10:0.00}{m.Idle.P95,10:0.00}{m.UnderLoad.P50,10:0.00}{m.UnderLoad.P95,10:0.00}");
        }

        foreach (var m in r.Modes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {m.Mode}: {m.Layout}");
        }

        text.Append(r.ThroughputRatio is { } ratio
            ? string.Create(CultureInfo.InvariantCulture, $"distributed / embedded throughput: {ratio:0.00}×")
            : $"distributed: skipped ({r.DistributedSkipped})");
        return text.ToString();
    }
}
