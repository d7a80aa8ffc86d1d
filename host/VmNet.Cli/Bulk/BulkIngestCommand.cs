using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using VmNet.Commands;
using VmNet.Contracts;

namespace VmNet.Cli.Bulk;

/// <summary>The options of <c>vmnet ingest --from LIST</c>, each defined once.</summary>
internal sealed class BulkIngestOptions
{
    public Option<string?> From { get; } = new("--from")
    {
        Description = "Ingest every line of this list: a YouTube id, URL or path per line, or CSV source,external_id,labels (labels k=v;k=v). A rerun continues where the last run stopped",
    };

    public Option<int> Concurrency { get; } = new("--concurrency")
    {
        Description = "With --from: requests in flight at once",
        DefaultValueFactory = _ => 4,
    };

    public Option<double?> Rate { get; } = new("--rate") { Description = "With --from: most requests sent per second (default: no limit)" };

    public BulkOptions Options(ParseResult parse, string list, MediaKind kind, TimeSpan timeout)
    {
        var concurrency = parse.GetValue(Concurrency);
        if (concurrency is < 1 or > 1024)
        {
            throw new UsageException("--concurrency must be 1 to 1024");
        }

        var rate = parse.GetValue(Rate);
        if (rate is not null && (!double.IsFinite(rate.Value) || rate <= 0 || rate > 10_000))
        {
            throw new UsageException("--rate must be more than 0 and at most 10000 requests a second");
        }

        if (timeout <= TimeSpan.Zero)
        {
            throw new UsageException("--timeout must be more than 0 seconds");
        }

        return new BulkOptions(list, kind, concurrency, rate, timeout);
    }

    /// <summary>--concurrency and --rate mean something only for a list: say so rather than ignore them.</summary>
    public void RefuseWithoutList(ParseResult parse)
    {
        if (parse.GetResult(Concurrency) is { Implicit: false } || parse.GetResult(Rate) is { Implicit: false })
        {
            throw new UsageException("--concurrency and --rate apply to --from LIST");
        }
    }
}

/// <summary>
/// <c>vmnet ingest --from LIST [--kind] [--concurrency N] [--rate R] [--timeout S] [--json]</c>: progress on stderr,
/// the summary (ingested / already there / failed, each failure with its line and reason) on stdout. Exit code 0
/// when no line failed, 1 when any did (a rerun retries the transient ones), 2 for a usage mistake, 130 when
/// interrupted (a rerun continues).
/// </summary>
internal static class BulkIngestCommand
{
    public static async Task<int> RunAsync(BulkOptions options, CommandContext context, CancellationToken cancellationToken)
    {
        var run = new BulkIngestRun(options, context);
        BulkSummary summary;
        try
        {
            summary = Terminal.Interactive && !context.Json
                ? await WithBarAsync(progress => run.RunAsync(progress, cancellationToken))
                : await run.RunAsync(Lines(), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Terminal.Progress("vmnet: stopped; what was sent is recorded, run the same command again to continue");
            throw;
        }

        Print(summary, context.Json);
        return summary.Failed == 0 ? 0 : 1;
    }

    /// <summary>A plain progress line at most every 5 s (logs and pipes: no redrawing).</summary>
    private static InlineProgress<BulkProgress> Lines()
    {
        var last = DateTime.MinValue;
        BulkProgress? shown = null;
        return new InlineProgress<BulkProgress>(p =>
        {
            if (p != shown && (DateTime.UtcNow - last >= TimeSpan.FromSeconds(5) || (p.Line >= p.TotalLines && p.InFlight == 0)))
            {
                (last, shown) = (DateTime.UtcNow, p);
                Terminal.Progress($"ingest: line {p.Line}/{p.TotalLines}, {Counts(p)}");
            }
        });
    }

    private static string Counts(BulkProgress p) =>
        $"{p.Ingested} ingested, {p.AlreadyThere} already there, {p.Failed} failed, {p.InFlight} in flight";

    private static async Task<BulkSummary> WithBarAsync(Func<IProgress<BulkProgress>, Task<BulkSummary>> work)
    {
        BulkSummary? summary = null;
        await Terminal.Stderr.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async bar =>
            {
                var task = bar.AddTask("ingest", maxValue: 1);
                summary = await work(new InlineProgress<BulkProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.TotalLines);
                    task.Value = Math.Min(p.Line, p.TotalLines);
                    task.Description = Markup.Escape($"ingest {Counts(p)}");
                }));
            });
        return summary!;
    }

    private static void Print(BulkSummary summary, bool json)
    {
        if (json)
        {
            CliJson.Print(summary);
            return;
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{summary.List}: {summary.Lines} lines: {summary.Ingested} ingested, {summary.AlreadyThere} already there, {summary.Failed} failed"));
        foreach (var failure in summary.Failures)
        {
            var source = failure.Source is null ? string.Empty : $" {failure.Source}:";
            var retried = failure.Retried ? " (a rerun tries again)" : string.Empty;
            Console.WriteLine($"  line {failure.Line}:{source} {failure.Reason}{retried}");
        }
    }
}
