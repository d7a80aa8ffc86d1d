using System.Text.RegularExpressions;

namespace VmNet.Architecture.Tests;

/// <summary>One row of shared/VmNet.Contracts/README.md's table: a message and the files named in each column.</summary>
public sealed record ContractsRow(
    string Message, IReadOnlySet<string> PublishedBy, IReadOnlySet<string> ConsumedBy, IReadOnlySet<string> ObservedBy);

/// <summary>
/// Reads the one table of shared/VmNet.Contracts/README.md: columns message | published by | consumed by |
/// observed by. A cell's files are its back-quoted <c>.cs</c> paths; any other words in a cell are for people.
/// </summary>
public static partial class ContractsTable
{
    public const string ReadmePath = "shared/VmNet.Contracts/README.md";

    private static readonly string[] Header = ["message", "published by", "consumed by", "observed by"];

    public static IReadOnlyList<ContractsRow> Parse(string markdown)
    {
        var tables = Tables(markdown);
        if (tables.Count != 1)
        {
            throw new FormatException($"{ReadmePath} must hold exactly one table; it holds {tables.Count}");
        }

        var lines = tables[0];
        var header = Cells(lines[0]);
        if (header.Count != Header.Length
            || !header.Zip(Header).All(h => h.First.StartsWith(h.Second, StringComparison.OrdinalIgnoreCase)))
        {
            throw new FormatException($"the table's columns must be: {string.Join(" | ", Header)}; they are: {string.Join(" | ", header)}");
        }

        var rows = new List<ContractsRow>();
        foreach (var line in lines.Skip(2))
        {
            var cells = Cells(line);
            if (cells.Count != Header.Length)
            {
                throw new FormatException($"row '{line}' has {cells.Count} cells, not {Header.Length}");
            }

            var message = Quoted().Match(cells[0]) is { Success: true } m
                ? m.Groups["q"].Value.Trim()
                : throw new FormatException($"row '{line}' names no `message`");
            rows.Add(new ContractsRow(message, Files(cells[1]), Files(cells[2]), Files(cells[3])));
        }

        return rows;
    }

    private static List<List<string>> Tables(string markdown)
    {
        var tables = new List<List<string>>();
        List<string>? current = null;
        foreach (var raw in markdown.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('|'))
            {
                if (current is null)
                {
                    current = [];
                    tables.Add(current);
                }

                current.Add(line);
            }
            else
            {
                current = null;
            }
        }

        return tables;
    }

    private static List<string> Cells(string line) =>
        [.. line.Trim().Trim('|').Split('|').Select(c => c.Trim())];

    private static HashSet<string> Files(string cell) =>
        Quoted().Matches(cell).Select(m => m.Groups["q"].Value.Trim()).Where(q => q.EndsWith(".cs", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex("`(?<q>[^`]+)`")]
    private static partial Regex Quoted();
}
