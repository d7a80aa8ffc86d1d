namespace VmNet.Architecture.Tests;

/// <summary>The scanner on small sources: each way the production code publishes, and what it must refuse to guess.</summary>
public sealed class ContractScannerTests
{
    private static readonly string[] Contracts = ["Asked", "Done"];

    public static TheoryData<string, string> Publishing => new()
    {
        { "new record", "Task Run(IBus bus) => bus.Publish(new Done(1));" },
        { "new record on the next line", "Task Run(IBus bus) => bus.Publish(\n    new Done(1),\n    ct);" },
        { "generic argument", "Task Run(IBus bus) => bus.Publish<Done>(new { Id = 1 });" },
        { "local variable", "async Task Run(IBus bus) { var done = new Done(1); await bus.Publish(done, ct); }" },
        { "typed local", "async Task Run(IBus bus) { Done done = Make(); await bus.Publish(done); }" },
        { "foreach over a built list", "async Task Run(IBus bus) { var all = ids.Select(i => new Done(i)).ToList(); foreach (var one in all) { await bus.Publish(one); } }" },
        { "foreach deconstructing tuples", "async Task Run(IBus bus) { var all = ids.Select(i => (Id: i, Message: new Done(i))).ToList(); foreach (var (_, one) in all) { await bus.Publish(one, ct); } }" },
        { "awaited method of a constructor parameter", "sealed class C(Worker worker) { async Task Run(ConsumeContext c) => await c.Publish(await worker.MakeAsync(c.Message, ct)); }" },
        { "pattern variable of an awaited method", "sealed class C(Worker worker) { async Task Run(ConsumeContext c) { if (await worker.MaybeAsync(c.Message, ct) is { } done) { await c.Publish(done); } } }" },
    };

    [Theory]
    [MemberData(nameof(Publishing))]
    public void A_publish_call_is_typed(string pattern, string code)
    {
        var scan = Scan(("services/x/C.cs", code), ("services/x/Worker.cs", Worker));

        Assert.True(scan.Unexplained.Count == 0, pattern + ": " + string.Join('\n', scan.Unexplained));
        Assert.Equal([new MessageUse("Done", "services/x/C.cs")], scan.Publishers);
    }

    [Fact]
    public void A_call_it_cannot_type_or_a_type_that_is_no_message_is_reported_not_guessed()
    {
        var scan = Scan(("host/C.cs", "async Task Run(IBus bus) {\n  await bus.Publish(Build());\n  await bus.Publish(new Other(1));\n  await endpoint.Send(new Done(1));\n}"));

        Assert.Empty(scan.Publishers);
        Assert.Equal(
            [
                "host/C.cs:2: cannot tell what '.Publish(Build())' publishes",
                "host/C.cs:3: publishes Other, which is not a record of shared/VmNet.Contracts",
                "host/C.cs:4: '.Send(' moves messages in a way the contracts scanner does not follow",
            ],
            scan.Unexplained.Select(u => u.ToString()));
    }

    [Fact]
    public void Comments_publish_nothing_and_strings_stay_code()
    {
        var scan = Scan(("services/x/C.cs",
            "/// <summary>Publishes: bus.Publish(new Done(1)).</summary>\n" +
            "class C : IConsumer<Asked> // IConsumer<Done>\n" +
            "{ /* bus.Publish(new Asked(1)); */ Task Run(IBus bus) => bus.Publish(new Done(\"http://x\", '\"', @\"a\"\"b\")); }"));

        Assert.Equal([new MessageUse("Done", "services/x/C.cs")], scan.Publishers);
        Assert.Equal([new MessageUse("Asked", "services/x/C.cs")], scan.Consumers);
    }

    [Fact]
    public void A_consumer_of_a_fault_makes_the_consumers_of_the_message_its_publishers()
    {
        var scan = Scan(
            ("services/x/AskedConsumer.cs", "sealed class AskedConsumer : IConsumer<Asked> { }"),
            ("host/Observer.cs", "sealed class Observer : IConsumer<Done>, IConsumer<Fault<Asked>>, IConsumer<TMessage> { }"));

        Assert.Equal(["Asked", "Done", "Fault<Asked>"], scan.Messages);
        Assert.Equal(["services/x/AskedConsumer.cs"], scan.PublishersOf("Fault<Asked>"));
        Assert.Equal(["host/Observer.cs"], scan.ConsumersOf("Fault<Asked>"));
        Assert.Equal(["host/Observer.cs"], scan.ConsumersOf("Done"));
    }

    private const string Worker =
        "public sealed class Worker\n{\n" +
        "    public async Task<Done> MakeAsync(Asked asked, CancellationToken ct) => await Task.FromResult(new Done(1));\n" +
        "    public async Task<Done?> MaybeAsync(Asked asked, CancellationToken ct) { return await MakeAsync(asked, ct); }\n" +
        "}\n";

    private static ContractScanner Scan(params (string File, string Code)[] files) =>
        new(files.ToDictionary(f => f.File, f => CSharpText.WithoutComments(f.Code), StringComparer.Ordinal), Contracts);
}
