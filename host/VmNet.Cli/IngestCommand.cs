using System.CommandLine;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Contracts;
using VmNet.Hosting;
using VmNet.Ingest;
using VmNet.ServiceDefaults;
using VmNet.Commands;

namespace VmNet.Cli;

/// <summary>
/// <c>vmnet ingest SOURCE... [--kind] [--wait] [--json]</c>. On the embedded default the roles run in this
/// process, so it always waits; on RabbitMQ it publishes and, with --wait, reports what the workers answered.
/// </summary>
public static class IngestCommand
{
    public sealed record Outcome(
        string Source, Guid CorrelationId, string Status, string? MediaId = null, string? Kind = null,
        string? AudioUri = null, string? VideoUri = null, double? DurationSeconds = null, string? Reason = null);

    public static Command Create()
    {
        var sources = new Argument<string[]>("source")
        {
            Description = "Media files (inside the media roots), http(s) URLs or YouTube ids",
            Arity = ArgumentArity.OneOrMore,
        };
        var kind = new Option<MediaKind>("--kind")
        {
            Description = "pair (music video, default), video (video-only upload) or music (music-only track)",
            DefaultValueFactory = _ => MediaKind.Pair,
        };
        kind.AcceptOnlyFromAmong("pair", "video", "music");
        var wait = new Option<bool>("--wait") { Description = "Wait for each result and report it" };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for each result",
            DefaultValueFactory = _ => 600,
        };
        sources.Validators.Add(r =>
        {
            // A variadic argument takes unknown options as values: say what they are instead of ingesting them.
            foreach (var token in r.Tokens.Where(t => t.Value.StartsWith('-')))
            {
                r.AddError($"Unrecognized option '{token.Value}' (a file whose name starts with '-' is written ./{token.Value})");
            }
        });
        var command = new Command("ingest", "Ingest media through the bus.") { sources, kind, wait, timeout };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(sources)!, parse.GetValue(kind), parse.GetValue(wait), parse.GetValue(CliOptions.Json),
            TimeSpan.FromSeconds(parse.GetValue(timeout)), CommandContext.From(parse), ct));
        return command;
    }

    private static async Task<int> RunAsync(
        string[] sources, MediaKind kind, bool wait, bool json, TimeSpan timeout,
        CommandContext context, CancellationToken cancellationToken)
    {
        var embedded = !context.OnRabbitMq;
        // In-process roles are a private pipeline: the search role must not take the shared gRPC port.
        context.Overrides.TryAdd("Search:GrpcUrl", "http://127.0.0.1:0");
        context.Overrides.TryAdd("Search:HttpUrl", string.Empty);
        await using var app = embedded
            ? context.BuildHost([], b => b.AddPipelineEvents())
            : context.BuildClient(b => b.AddPipelineEvents());
        await app.StartAsync(cancellationToken);
        var bus = app.Services.GetRequiredService<IBus>();
        var events = app.Services.GetRequiredService<PipelineEvents>();
        var requests = sources.Select(s => new IngestRequested(Guid.NewGuid(), Absolute(s), kind, DateTimeOffset.UtcNow)).ToList();
        foreach (var request in requests)
        {
            await bus.Publish(request, cancellationToken);
        }

        var outcomes = new List<Outcome>();
        foreach (var request in requests)
        {
            outcomes.Add(embedded || wait
                ? await WaitForAsync(events, request, timeout, cancellationToken)
                : new Outcome(request.Source, request.CorrelationId, "published"));
        }

        // In this process the downstream roles run too: leave only once their work is stored.
        if (embedded)
        {
            foreach (var ingested in events.OfType<MediaIngested>().Where(i => requests.Any(r => r.CorrelationId == i.CorrelationId)))
            {
                var failure = await app.Services.WaitProcessedAsync(ingested, timeout, cancellationToken);
                if (failure is not null)
                {
                    var index = outcomes.FindIndex(o => o.CorrelationId == ingested.CorrelationId);
                    outcomes[index] = outcomes[index] with { Reason = "features failed: " + failure };
                }
            }
        }

        Print(outcomes, json);
        await app.StopAsync(CancellationToken.None);
        return outcomes.All(o => o.Status is "ingested" or "published") ? 0 : 1;
    }

    // Relative paths are the caller's: the worker may run elsewhere.
    private static string Absolute(string source) =>
        IngestSource.Classify(source) == SourceKind.LocalPath ? Path.GetFullPath(source) : source;

    private static async Task<Outcome> WaitForAsync(PipelineEvents events, IngestRequested request, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            var answer = await events.WaitIngestAnswerAsync(request.CorrelationId, timeout, ct);
            return answer switch
            {
                MediaIngested i => new Outcome(
                    request.Source, request.CorrelationId, "ingested", i.MediaId, i.Kind.ToString().ToLowerInvariant(),
                    i.AudioUri?.AbsoluteUri, i.VideoUri?.AbsoluteUri, i.DurationSeconds),
                IngestFailed f => new Outcome(request.Source, request.CorrelationId, "failed", f.MediaId, Reason: f.Reason),
                Fault<IngestRequested> f => new Outcome(request.Source, request.CorrelationId, "failed",
                    Reason: "ingest crashed: " + string.Join("; ", f.Exceptions.Select(e => e.Message))),
                _ => throw new InvalidOperationException(),
            };
        }
        catch (TimeoutException)
        {
            return new Outcome(request.Source, request.CorrelationId, "timeout", Reason: $"no answer within {timeout.TotalSeconds:0} s");
        }
    }

    private static void Print(List<Outcome> outcomes, bool json)
    {
        if (json)
        {
            CliJson.Print(outcomes);
            return;
        }

        foreach (var o in outcomes)
        {
            var reason = o.Reason is null ? string.Empty : (o.Status == "ingested" ? "; " : ": ") + o.Reason;
            Console.WriteLine(o.Status == "ingested"
                ? $"{o.Source}: ingested {o.MediaId} ({o.Kind}, {o.DurationSeconds:0.0} s) audio={o.AudioUri ?? "-"} video={o.VideoUri ?? "-"}{reason}"
                : $"{o.Source}: {o.Status}{reason}");
        }
    }
}
