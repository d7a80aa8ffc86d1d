using System.Text.Json.Nodes;

namespace VmNet.Contracts.Tests;

/// <summary>
/// Within v1 the public contracts only grow. contracts.v1.json is the v1 baseline: it is never rewritten to make a
/// break pass (a break is a v2, see the README); it may be rewritten to record added fields.
/// </summary>
public sealed class ContractVersionTests
{
    [Fact]
    public void Public_contracts_only_grow_within_v1()
    {
        if (!File.Exists(ContractSnapshot.V1Path) && ContractSnapshot.Rewrite)
        {
            File.WriteAllText(ContractSnapshot.V1Path, ContractSnapshot.ToText(ContractShape.ToJson(ContractSnapshot.Current())));
        }

        var baseline = ContractShape.FromJson(JsonNode.Parse(File.ReadAllText(ContractSnapshot.V1Path))!.AsObject());
        var breaks = ContractShape.Breaks(baseline, ContractSnapshot.Current());
        Assert.True(
            breaks.Count == 0,
            "v1 public contracts may only gain fields; these changes break platforms (add a field, or make a v2 beside v1):\n  "
            + string.Join("\n  ", breaks));
    }

    [Fact]
    public void The_baseline_names_every_public_message()
    {
        var baseline = JsonNode.Parse(File.ReadAllText(ContractSnapshot.V1Path))!.AsObject();
        Assert.All(PublicContracts.All, t => Assert.True(baseline.ContainsKey(t.Name), $"{t.Name} is public but not in contracts.v1.json"));
    }

    [Fact]
    public void A_removed_renamed_or_retyped_field_breaks_and_an_added_one_does_not()
    {
        var v1 = ContractShape.Of([typeof(Shapes.V1)]);
        var rename = Rename(ContractShape.Of([typeof(Shapes.Renamed)]), nameof(Shapes.Renamed), nameof(Shapes.V1));
        var retype = Rename(ContractShape.Of([typeof(Shapes.Retyped)]), nameof(Shapes.Retyped), nameof(Shapes.V1));
        var removed = Rename(ContractShape.Of([typeof(Shapes.Removed)]), nameof(Shapes.Removed), nameof(Shapes.V1));
        var optional = Rename(ContractShape.Of([typeof(Shapes.Optional)]), nameof(Shapes.Optional), nameof(Shapes.V1));
        var added = Rename(ContractShape.Of([typeof(Shapes.Added)]), nameof(Shapes.Added), nameof(Shapes.V1));

        Assert.Equal(["V1.source: removed or renamed"], ContractShape.Breaks(v1, rename));
        Assert.Equal(["V1.count: type changed from integer to string"], ContractShape.Breaks(v1, retype));
        Assert.Equal(["V1.count: removed or renamed"], ContractShape.Breaks(v1, removed));
        Assert.Equal(["V1.source: type changed from string to string?"], ContractShape.Breaks(v1, optional));
        Assert.Empty(ContractShape.Breaks(v1, added));
        Assert.Equal(["V1: removed"], ContractShape.Breaks(v1, []));
    }

    private static SortedDictionary<string, List<(string Name, string Type)>> Rename(
        SortedDictionary<string, List<(string Name, string Type)>> shapes, string from, string to)
    {
        var fields = shapes[from];
        shapes.Remove(from);
        shapes[to] = fields;
        return shapes;
    }
}

/// <summary>One contract in five versions, for the comparison itself.</summary>
internal static class Shapes
{
    internal sealed record V1(Guid CorrelationId, string Source, int Count);

    internal sealed record Renamed(Guid CorrelationId, string Origin, int Count);

    internal sealed record Retyped(Guid CorrelationId, string Source, string Count);

    internal sealed record Removed(Guid CorrelationId, string Source);

    internal sealed record Optional(Guid CorrelationId, string? Source, int Count);

    internal sealed record Added(Guid CorrelationId, string Source, int Count, string? Note = null);
}
