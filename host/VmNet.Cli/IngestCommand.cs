using System.Collections.Immutable;
using System.CommandLine;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Contracts;
using VmNet.Hosting;
using VmNet.Ingest;
using VmNet.Media;
using VmNet.ServiceDefaults;
using VmNet.Cli.Bulk;
using VmNet.Commands;

namespace VmNet.Cli;

/// <summary>
/// <c>vmnet ingest SOURCE... | --from LIST [--kind] [--external-id X] [--label k=v]... [--wait] [--json]</c>. On the embedded default the roles run in this
/// process, so it always waits, and the files named here may be anywhere (see <see cref="OperatorFiles"/>); on RabbitMQ
/// it publishes and, with --wait, reports what the workers answered, and the workers read only their media roots.
/// </summary>
public static class IngestCommand
{
    public sealed record Outcome(
        string Source, Guid CorrelationId, string Status, string? MediaId = null, string? Kind = null,
        string? AudioUri = null, string? VideoUri = null, double? DurationSeconds = null, string? Reason = null,
        MediaMetadata? Metadata = null);

    public static Command Create()
    {
        var sources = new Argument<string[]>("source")
        {
            Description = "Media files (inside the media roots), http(s) URLs or YouTube ids",
            Arity = ArgumentArity.ZeroOrMore,
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
        var externalId = new Option<string?>("--external-id")
        {
            Description = "Your platform's id for the item (one source only); search answers and look-ups carry it",
        };
        var labels = new Option<string[]>("--label")
        {
            Description = $"A label key=value (mood=calm, licence=cc-by); repeat for more, at most {MediaLabels.MaxLabels}",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        sources.Validators.Add(r =>
        {
            // A variadic argument takes unknown options as values: say what they are instead of ingesting them.
            foreach (var token in r.Tokens.Where(t => t.Value.StartsWith('-')))
            {
                r.AddError($"Unrecognized option '{token.Value}' (a file whose name starts with '-' is written ./{token.Value})");
            }
        });
        var bulk = new BulkIngestOptions();
        var command = new Command("ingest", "Ingest media through the bus, named here or listed in a file (--from).")
        {
            sources, kind, wait, timeout, externalId, labels, bulk.From, bulk.Concurrency, bulk.Rate,
        };
        command.SetAction((parse, ct) =>
        {
            if (parse.GetValue(bulk.From) is { } list)
            {
                if (parse.GetValue(sources) is { Length: > 0 } || parse.GetValue(externalId) is not null || parse.GetValue(labels) is { Length: > 0 })
                {
                    throw new UsageException("--from reads sources, external ids and labels from the list: give no source, --external-id or --label with it");
                }

                return BulkIngestCommand.RunAsync(
                    bulk.Options(parse, list, parse.GetValue(kind), TimeSpan.FromSeconds(parse.GetValue(timeout))), CommandContext.From(parse), ct);
            }

            if (parse.GetValue(sources) is not { Length: > 0 })
            {
                throw new UsageException("give a source to ingest, or --from LIST");
            }

            bulk.RefuseWithoutList(parse);
            var about = Metadata(parse.GetValue(sources)!, parse.GetValue(externalId), parse.GetValue(labels) ?? []);
            return RunAsync(
                parse.GetValue(sources)!, parse.GetValue(kind), about, parse.GetValue(wait), parse.GetValue(CliOptions.Json),
                TimeSpan.FromSeconds(parse.GetValue(timeout)), CommandContext.From(parse), ct);
        });
        return command;
    }

    /// <summary>What the operator says about the item, checked by the same rules ingest applies.</summary>
    internal sealed record Given(string? ExternalId, ImmutableDictionary<string, string>? Labels);

    private static Given Metadata(string[] sources, string? externalId, string[] labels)
    {
        if (externalId is not null && sources.Length > 1)
        {
            throw new UsageException("--external-id names one item: give one source with it (or use a bulk file)");
        }

        if (MediaLabels.ExternalIdError(externalId) is { } error)
        {
            throw new UsageException(error);
        }

        try
        {
            return new Given(externalId, MediaLabels.Parse(labels));
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static async Task<int> RunAsync(
        string[] sources, MediaKind kind, Given about, bool wait, bool json, TimeSpan timeout,
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
        if (embedded)
        {
            // The person at the keyboard named these files: ingest in this process may read them wherever they are.
            // Only these files; anything else still has to be inside Ingest:MediaRoots.
            var operatorFiles = app.Services.GetRequiredService<OperatorFiles>();
            foreach (var source in sources.Where(s => IngestSource.Classify(s) == SourceKind.LocalPath))
            {
                operatorFiles.Grant(Absolute(source));
            }
        }

        var requests = sources.Select(s => new IngestRequested(Guid.NewGuid(), Absolute(s), kind, DateTimeOffset.UtcNow, about.ExternalId, about.Labels)).ToList();
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
                    i.AudioUri?.AbsoluteUri, i.VideoUri?.AbsoluteUri, i.DurationSeconds, Metadata: i.Metadata),
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

    private static string Describe(MediaMetadata? about)
    {
        if (about is null)
        {
            return string.Empty;
        }

        var parts = new[]
        {
            about.Title is null ? null : about.Artist is null ? $"'{about.Title}'" : $"'{about.Title}' — {about.Artist}",
            about.ExternalId is null ? null : "external id " + about.ExternalId,
            about.Labels is null ? null : string.Join(' ', about.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")),
        }.OfType<string>().ToList();
        return parts.Count == 0 ? string.Empty : " " + string.Join(", ", parts);
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
                ? $"{o.Source}: ingested {o.MediaId} ({o.Kind}, {o.DurationSeconds:0.0} s){Describe(o.Metadata)} audio={o.AudioUri ?? "-"} video={o.VideoUri ?? "-"}{reason}"
                : $"{o.Source}: {o.Status}{reason}");
        }
    }
}
