using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using VmNet.Commands;
using VmNet.ServiceDefaults;
using VmNet.Storage;

namespace VmNet.Bench;

/// <summary><c>vmnet bench soak --minutes N [--rate P] [--seconds S] [--json]</c> over RabbitMQ and PostgreSQL.</summary>
public static class SoakBenchCommand
{
    public static Command Create()
    {
        var minutes = new Option<double>("--minutes") { Description = "How long pairs are ingested", DefaultValueFactory = _ => 10 };
        var rate = new Option<double>("--rate") { Description = "Pairs ingested per minute", DefaultValueFactory = _ => 6 };
        var seconds = new Option<double>("--seconds") { Description = "Length of each generated music video in seconds", DefaultValueFactory = _ => 4 };
        var clients = new Option<int>("--query-clients") { Description = "gRPC clients querying all along", DefaultValueFactory = _ => 2 };
        var rabbitmqctl = new Option<string?>("--rabbitmqctl") { Description = "rabbitmqctl reaching the broker (default: $VMNET_TEST_RABBITMQCTL, then rabbitmqctl)" };
        var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL connection string; the soak creates a database of its own there (default: $VMNET_TEST_POSTGRES, then Catalogue:Postgres:ConnectionString)" };
        var command = new Command(
            "soak",
            "Every role its own process on RabbitMQ, catalogue and delivery ledger in PostgreSQL: sustained ingest, gRPC queries all along, "
            + "a hot swap and faults on a schedule (broker restarts, worker kill, embedder kill); reports lost, duplicated, qps, p99, "
            + "ingest per hour, memory growth per process and whether the catalogue and the vector store agree.")
        {
            minutes, rate, seconds, clients, rabbitmqctl, postgres,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var context = CommandContext.From(parse);
            if (context.Bus.Transport != BusTransport.RabbitMq || context.Bus.RabbitMq.Uri is not { Length: > 0 } broker)
            {
                throw new UsageException("bench soak runs on RabbitMQ: give --transport rabbitmq --rabbitmq URI (scripts/with-rabbitmq.sh starts one)");
            }

            var connection = parse.GetValue(postgres) ?? Environment.GetEnvironmentVariable("VMNET_TEST_POSTGRES")
                ?? context.Section<CatalogueOptions>(CatalogueOptions.Section).Postgres.ConnectionString
                ?? throw new UsageException("bench soak needs PostgreSQL: give --postgres CONNECTION (scripts/with-postgres.sh starts one)");
            var options = new SoakOptions
            {
                DataDirectory = context.DataPath,
                BrokerUri = broker,
                RabbitMqCtl = parse.GetValue(rabbitmqctl) ?? Environment.GetEnvironmentVariable("VMNET_TEST_RABBITMQCTL") ?? "rabbitmqctl",
                Postgres = connection,
                Minutes = parse.GetValue(minutes),
                PairsPerMinute = parse.GetValue(rate),
                Seconds = parse.GetValue(seconds),
                QueryClients = parse.GetValue(clients),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }

            var result = await new SoakBench(options, new InlineProgress<string>(line => error.WriteLine($"bench soak: {line}"))).RunAsync(ct);
            await output.WriteLineAsync(parse.GetValue(CliOptions.Json) ? JsonSerializer.Serialize(result, CliJson.Options) : Table(result));
            return result.Lost == 0 && result.Duplicated == 0 && result.Consistent ? 0 : 1;
        });
        return command;
    }

    public static string Table(SoakResult r)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"soak: {r.Minutes:0.##} min on {r.Cores} cores, {r.Sent} pairs sent, {r.Stored} stored");
        text.AppendLine(CultureInfo.InvariantCulture, $"lost {r.Lost}, duplicated {r.Duplicated} (redelivered {r.Redelivered}, same message consumed again {r.ConsumedAgain})");
        text.AppendLine(CultureInfo.InvariantCulture, $"faults {r.Faults}: {string.Join("; ", r.FaultLog.Select(f => $"{f.AtSeconds:0} s {f.Kind}"))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"queries {r.Queries} ({r.QueriesFailed} failed), {r.Qps:0.0} qps, p50 {r.P50Ms:0.0} ms, p99 {r.P99Ms:0.0} ms");
        text.AppendLine(CultureInfo.InvariantCulture, $"ingest {r.IngestPerHour:0} pairs/h");
        foreach (var (process, growth) in r.MemoryGrowthMiBPerHour.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {process}: {growth:+0.0;-0.0} MiB/h, last {r.MemoryMiB[process]:0} MiB");
        }

        text.Append(CultureInfo.InvariantCulture, $"consistent {r.Consistent}: {r.Consistency}");
        return text.ToString();
    }
}
