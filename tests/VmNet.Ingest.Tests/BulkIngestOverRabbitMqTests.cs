using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Contracts;
using VmNet.Hosting;
using VmNet.Media;
using VmNet.ServiceDefaults;
using VmNet.Testing;

namespace VmNet.Ingest.Tests;

/// <summary>
/// The bulk part of issue 14's "done when": <c>vmnet ingest --from</c> on a 50-line list with 5 bad lines, killed
/// part-way and run again, over the real RabbitMQ with a separate <c>vmnet serve --role ingest</c> process, ends with 45
/// items each requested and ingested exactly once, and the 5 failures explained by line.
/// </summary>
public sealed class BulkIngestOverRabbitMqTests(ITestOutputHelper output)
{
    private const int Good = 45;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task A_killed_bulk_run_rerun_ingests_each_of_45_items_exactly_once_and_explains_5_bad_lines()
    {
        var broker = await RabbitMqBroker.NewVirtualHostAsync("bulk");
        using var media = new TempFolder("bulk-media");
        using var workerData = new TempFolder("bulk-worker");
        using var cliData = new TempFolder("bulk-cli");

        // 45 distinct small clips (tone and pattern differ, so the bytes and the media ids do), a text file, a clip
        // over the worker's duration limit, and the list: a header, comments, blank lines, plain and CSV lines.
        var good = new List<string>();
        for (var i = 0; i < Good; i++)
        {
            good.Add(await TestMedia.MusicVideoAsync(media.File($"clip-{i:00}.mp4"), seconds: 1, frequency: 200 + (20 * i), pattern: i % 2 == 0 ? "testsrc2" : "smptebars"));
        }

        await File.WriteAllTextAsync(media.File("notes.mp4"), "not media at all\n", TestContext.Current.CancellationToken);
        var tooLong = await TestMedia.MusicVideoAsync(media.File("long.mp4"), seconds: 7);
        var bad = new Dictionary<int, (string Line, string Reason)>();
        var list = new StringBuilder("source,external_id,labels\n# the shop's catalogue\n\n");
        var lineNumber = 3;
        var goodIndex = 0;
        for (var row = 0; row < Good + 5; row++)
        {
            lineNumber++;
            string line;
            switch (row)
            {
                case 3:
                    line = "missing.mp4,shop:missing";
                    bad[lineNumber] = (line, "existing file in the media roots");
                    break;
                case 14:
                    line = "\"clip-00.mp4,shop:broken";
                    bad[lineNumber] = (line, "unterminated quote");
                    break;
                case 22:
                    line = "notes.mp4,shop:notes";
                    bad[lineNumber] = (line, "not a readable media file");
                    break;
                case 31:
                    line = "clip-01.mp4,shop:label,Mood=calm";
                    bad[lineNumber] = (line, "label key 'Mood' must be");
                    break;
                case 40:
                    line = $"{tooLong},shop:long";
                    bad[lineNumber] = (line, "over the 5 s limit");
                    break;
                default:
                    var i = goodIndex++;
                    // Plain lines, CSV with an external id, and CSV with labels, relative (to the list) and absolute.
                    line = (i % 3) switch
                    {
                        0 => $"clip-{i:00}.mp4",
                        1 => $"{good[i]},shop:{i}",
                        _ => $"\"clip-{i:00}.mp4\",shop:{i},mood=calm;batch={i}",
                    };
                    break;
            }

            list.Append(line).Append('\n');
        }

        var listPath = media.File("list.csv");
        await File.WriteAllTextAsync(listPath, list.ToString(), TestContext.Current.CancellationToken);
        Assert.Equal(Good, goodIndex);

        var health = $"http://127.0.0.1:{Ports.Free()}";
        using var worker = VmnetProcess.Start(
            ["serve", "--role", "ingest", "--transport", "rabbitmq", "--rabbitmq", broker, "--data", workerData.Path, "--urls", health],
            new Dictionary<string, string> { ["Ingest__MediaRoots__0"] = media.Path, ["Ingest__MaxDurationSeconds"] = "5" });
        await Ports.WaitHealthyAsync(health + "/health/ready", TimeSpan.FromMinutes(2), worker);

        // The test's own ears on the broker: every request published and every item ingested, whoever sent it.
        var audit = new BulkAudit();
        await using var observer = VmNetHost.BuildClient(
            new Dictionary<string, string?> { ["Bus:Transport"] = "RabbitMq", ["Bus:RabbitMq:Uri"] = broker, ["Storage:DataDir"] = cliData.Path },
            b =>
            {
                b.Services.AddSingleton(audit);
                b.Services.AddRoleConsumers("audit", bus => bus.AddConsumer<BulkAuditConsumer>().Endpoint(e =>
                {
                    e.Temporary = true;
                    e.InstanceId = Guid.NewGuid().ToString("N")[..12];
                }));
            });
        await observer.StartAsync(TestContext.Current.CancellationToken);

        string[] arguments =
        [
            "ingest", "--from", listPath, "--json", "--concurrency", "3", "--timeout", "120",
            "--transport", "rabbitmq", "--rabbitmq", broker, "--data", cliData.Path,
        ];

        // 1. Killed (SIGKILL, no chance to tidy up) once a dozen items are in, with requests still in flight.
        using (var first = VmnetProcess.Start(arguments))
        {
            await first.WaitForAsync(() => audit.Ingested.Count >= 12 || first.HasExited, RunTimeout, "a dozen items ingested");
            Assert.False(first.HasExited, first.Output);
            first.Kill();
            output.WriteLine($"killed after {audit.Ingested.Count} items ingested, {audit.Requested.Count} requested");
        }

        // 2. The rerun: collects the answers of what was in flight, sends the rest, explains the bad lines.
        var (exit, text) = await VmnetProcess.RunAsync(arguments, RunTimeout);
        output.WriteLine(text);
        Assert.Equal(1, exit);

        // Each good item requested once and ingested once, the sent bad ones requested once, the unparsable never.
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        var ids = new HashSet<string>();
        foreach (var clip in good)
        {
            Assert.True(audit.Requested.GetValueOrDefault(clip) == 1, $"{clip} requested {audit.Requested.GetValueOrDefault(clip)} times");
            ids.Add(await MediaId.OfFileAsync(clip, CancellationToken.None));
        }

        Assert.Equal(Good, ids.Count);
        Assert.Equal(ids.Order(), audit.Ingested.Keys.Order());
        Assert.All(audit.Ingested, i => Assert.True(i.Value == 1, $"{i.Key} ingested {i.Value} times"));
        Assert.Equal(1, audit.Requested.GetValueOrDefault(media.File("missing.mp4")));
        Assert.Equal(1, audit.Requested.GetValueOrDefault(media.File("notes.mp4")));
        Assert.Equal(1, audit.Requested.GetValueOrDefault(tooLong));
        Assert.Equal(Good + 3, audit.Requested.Values.Sum());
        Assert.Equal(Good, Directory.GetFiles(new DataDirectory(workerData.Path).Media, "ingested.json", SearchOption.AllDirectories).Length);

        var summary = Summary(text);
        Assert.Equal(Good + 5, summary.GetProperty("lines").GetInt32());
        Assert.Equal(5, summary.GetProperty("failed").GetInt32());
        var rerunIngested = summary.GetProperty("ingested").GetInt32();
        var rerunThere = summary.GetProperty("alreadyThere").GetInt32();
        Assert.Equal(Good, rerunIngested + rerunThere);
        Assert.True(rerunIngested > 0 && rerunThere > 0, $"the kill was not part-way: {rerunIngested} ingested, {rerunThere} already there");
        var failures = summary.GetProperty("failures").EnumerateArray().ToDictionary(f => f.GetProperty("line").GetInt32(), f => f.GetProperty("reason").GetString()!);
        Assert.Equal(bad.Keys.Order(), failures.Keys.Order());
        foreach (var (line, (text0, reason)) in bad)
        {
            Assert.True(failures[line].Contains(reason, StringComparison.Ordinal), $"line {line} '{text0}': {failures[line]}");
        }

        // 3. A third run has nothing to send: everything is already there, the same 5 lines failed.
        (exit, text) = await VmnetProcess.RunAsync(arguments, RunTimeout);
        Assert.Equal(1, exit);
        summary = Summary(text);
        Assert.Equal((0, Good, 5), (summary.GetProperty("ingested").GetInt32(), summary.GetProperty("alreadyThere").GetInt32(), summary.GetProperty("failed").GetInt32()));
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Equal(Good + 3, audit.Requested.Values.Sum());
        Assert.False(worker.HasExited);
        await observer.StopAsync(CancellationToken.None);
    }

    private static JsonElement Summary(string text) =>
        JsonDocument.Parse(text.Split('\n').Single(l => l.StartsWith("{\"list\"", StringComparison.Ordinal))).RootElement;
}

/// <summary>What the broker carried, counted by the test.</summary>
public sealed class BulkAudit
{
    public ConcurrentDictionary<string, int> Requested { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, int> Ingested { get; } = new(StringComparer.Ordinal);
}

/// <summary>Counts every IngestRequested by source and every MediaIngested by media id.</summary>
public sealed class BulkAuditConsumer(BulkAudit audit) : IConsumer<IngestRequested>, IConsumer<MediaIngested>
{
    public Task Consume(ConsumeContext<IngestRequested> context)
    {
        audit.Requested.AddOrUpdate(context.Message.Source, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<MediaIngested> context)
    {
        audit.Ingested.AddOrUpdate(context.Message.MediaId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
