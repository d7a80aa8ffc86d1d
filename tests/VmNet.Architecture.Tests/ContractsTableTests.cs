namespace VmNet.Architecture.Tests;

/// <summary>
/// shared/VmNet.Contracts/README.md's table says who publishes, consumes and observes each message; the production
/// code (services/, shared/, host/) is the truth it is checked against. Consumers in host/ are observers.
/// </summary>
public sealed class ContractsTableTests
{
    public static TheoryData<string> Messages => [.. Scan().Messages];

    [Fact]
    public void The_table_has_one_row_for_each_message_and_no_other()
    {
        var messages = Scan().Messages;
        var rows = Table().Select(r => r.Message).ToList();

        var missing = messages.Except(rows).ToList();
        var unknown = rows.Except(messages).ToList();
        var repeated = rows.GroupBy(r => r).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(
            missing.Count == 0 && unknown.Count == 0 && repeated.Count == 0,
            $"{ContractsTable.ReadmePath}: no row for [{string.Join(", ", missing)}]; rows for what is no message [{string.Join(", ", unknown)}]; " +
            $"more than one row for [{string.Join(", ", repeated)}]");
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void The_row_names_the_files_that_publish_consume_and_observe_the_message(string message)
    {
        var scan = Scan();
        var row = Table().FirstOrDefault(r => r.Message == message);
        Assert.True(row is not null, $"{ContractsTable.ReadmePath} has no row for {message}");

        var consumers = scan.ConsumersOf(message);
        var problems = new List<string>();
        Compare("published by", ("publishes", "publish"), row.PublishedBy, scan.PublishersOf(message), problems);
        Compare("consumed by", ("consumes", "consume"), row.ConsumedBy, consumers.Where(f => !IsHost(f)), problems);
        Compare("observed by", ("observes", "observe"), row.ObservedBy, consumers.Where(IsHost), problems);

        Assert.True(problems.Count == 0, $"{ContractsTable.ReadmePath}, row {message}:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void Every_publish_call_in_production_code_names_a_message()
    {
        var unexplained = Scan().Unexplained;

        Assert.True(unexplained.Count == 0, "Bus calls the contracts table cannot account for:\n" + string.Join('\n', unexplained));
    }

    [Fact]
    public void The_scan_finds_the_pipeline()
    {
        // Guards the tests above against agreeing with an empty table because the scan found nothing.
        var scan = Scan();

        var contracts = SourceTree.Contracts(SourceTree.Root);
        Assert.Contains("IngestRequested", contracts);
        Assert.DoesNotContain("SuggestedTrack", contracts);
        Assert.DoesNotContain("MediaKind", contracts);
        Assert.Contains("services/ingest/VmNet.Ingest/IngestRequestedConsumer.cs", scan.PublishersOf("MediaIngested"));
        Assert.Contains("services/embedder/VmNet.Embedder/ModelConsumer.cs", scan.ConsumersOf("ModelPublished"));
        Assert.Contains("host/VmNet.Hosting/PipelineEvents.cs", scan.ConsumersOf("Fault<IngestRequested>"));
    }

    private static void Compare(string column, (string Does, string Do) verb, IReadOnlySet<string> listed, IEnumerable<string> actual, List<string> problems)
    {
        var inCode = actual.ToHashSet(StringComparer.Ordinal);
        problems.AddRange(inCode.Except(listed).Order(StringComparer.Ordinal).Select(f => $"  {column}: missing {f}, which {verb.Does} it"));
        problems.AddRange(listed.Except(inCode).Order(StringComparer.Ordinal).Select(f => $"  {column}: lists {f}, which does not {verb.Do} it"));
    }

    private static bool IsHost(string file) => file.StartsWith("host/", StringComparison.Ordinal);

    private static ContractScanner Scan() => ContractScanner.OfRepository(SourceTree.Root);

    private static IReadOnlyList<ContractsRow> Table() =>
        ContractsTable.Parse(File.ReadAllText(Path.Combine(SourceTree.Root, ContractsTable.ReadmePath)));
}
