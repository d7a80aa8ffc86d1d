using System.Text;
using VmNet.Testing;

namespace VmNet.Architecture.Tests;

/// <summary>The repository's files as text, named by their path from the repository root with '/' separators.</summary>
public static class SourceTree
{
    /// <summary>Where production code lives; tests/ is not production and may reach anything.</summary>
    public static readonly string[] ProductionFolders = ["services", "shared", "host"];

    public static string Root => RepoPaths.Root;

    public static string Relative(string root, string path) =>
        Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>Files under <paramref name="folder"/> (repository-relative) matching <paramref name="pattern"/>, build output left out.</summary>
    public static IEnumerable<string> Files(string root, string folder, string pattern)
    {
        var start = Path.Combine(root, folder);
        if (!Directory.Exists(start))
        {
            return [];
        }

        return Directory.EnumerateFiles(start, pattern, SearchOption.AllDirectories)
            .Select(f => Relative(root, f))
            .Where(f => !f.Split('/').Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Every production C# file, comments blanked out, keyed by repository-relative path.</summary>
    public static IReadOnlyDictionary<string, string> ProductionSources(string root) =>
        ProductionFolders
            .SelectMany(folder => Files(root, folder, "*.cs"))
            .ToDictionary(f => f, f => CSharpText.WithoutComments(File.ReadAllText(Path.Combine(root, f))), StringComparer.Ordinal);

    /// <summary>The message records of shared/VmNet.Contracts: one per file, the record named like its file.</summary>
    public static IReadOnlyList<string> Contracts(string root) =>
        [.. Files(root, "shared/VmNet.Contracts", "*.cs")
            .Select(f => (Name: Path.GetFileNameWithoutExtension(f), Text: CSharpText.WithoutComments(File.ReadAllText(Path.Combine(root, f)))))
            .Where(f => System.Text.RegularExpressions.Regex.IsMatch(f.Text, $@"\brecord\s+(?:class\s+)?{f.Name}\b"))
            .Select(f => f.Name)];
}

/// <summary>C# source as plain text, enough for pattern scans.</summary>
public static class CSharpText
{
    /// <summary>
    /// Blanks out comments (keeping line breaks, so positions and line numbers stay), leaving string and character
    /// literals alone: a "Publish(new X(" in a doc comment must not count, and "http://" is not a comment.
    /// </summary>
    public static string WithoutComments(string code)
    {
        var text = new StringBuilder(code.Length);
        var i = 0;
        while (i < code.Length)
        {
            var c = code[i];
            var next = i + 1 < code.Length ? code[i + 1] : '\0';
            if (c == '/' && next == '/')
            {
                while (i < code.Length && code[i] != '\n')
                {
                    text.Append(' ');
                    i++;
                }
            }
            else if (c == '/' && next == '*')
            {
                var end = code.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? code.Length : end + 2;
                for (; i < end; i++)
                {
                    text.Append(code[i] == '\n' ? '\n' : ' ');
                }
            }
            else if (c == '"')
            {
                var end = StringEnd(code, i);
                text.Append(code, i, end - i);
                i = end;
            }
            else if (c == '\'')
            {
                var end = i + 1;
                while (end < code.Length && code[end] != '\'' && code[end] != '\n')
                {
                    end += code[end] == '\\' ? 2 : 1;
                }

                end = Math.Min(end + 1, code.Length);
                text.Append(code, i, end - i);
                i = end;
            }
            else
            {
                text.Append(c);
                i++;
            }
        }

        return text.ToString();
    }

    /// <summary>Line number (1-based) of <paramref name="index"/>.</summary>
    public static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    // The index just past the string literal opening at `start`: raw ("""), verbatim (@"", "" escapes a quote) or regular.
    private static int StringEnd(string code, int start)
    {
        var quotes = 0;
        while (start + quotes < code.Length && code[start + quotes] == '"')
        {
            quotes++;
        }

        if (quotes >= 3)
        {
            var close = code.IndexOf(new string('"', quotes), start + quotes, StringComparison.Ordinal);
            return close < 0 ? code.Length : close + quotes;
        }

        var verbatim = (start >= 1 && code[start - 1] == '@') || (start >= 2 && code[start - 1] == '$' && code[start - 2] == '@');
        var i = start + 1;
        while (i < code.Length)
        {
            if (verbatim && code[i] == '"' && i + 1 < code.Length && code[i + 1] == '"')
            {
                i += 2;
            }
            else if (code[i] == '"')
            {
                return i + 1;
            }
            else if (!verbatim && code[i] == '\\')
            {
                i += 2;
            }
            else
            {
                i++;
            }
        }

        return code.Length;
    }
}
