using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using VmNet.Contracts;
using VmNet.Ingest;
using VmNet.Media;

namespace VmNet.Cli.Bulk;

/// <summary>One item a list asks for: the source as it will be published, and what the platform says about it.</summary>
internal sealed record BulkItem(string Source, string? ExternalId, ImmutableDictionary<string, string>? Labels)
{
    /// <summary>
    /// What identifies this request across runs: the kind, the source as published, the external id and the labels.
    /// The resume state is keyed by it rather than by line number, so a list that grows, is sorted or has a line fixed
    /// still skips what is done and sends only what is new or changed.
    /// </summary>
    public Guid Key(MediaKind kind)
    {
        var text = new StringBuilder()
            .Append(kind).Append('\0').Append(Source).Append('\0').Append(ExternalId).Append('\0');
        foreach (var (k, v) in (Labels ?? ImmutableDictionary<string, string>.Empty).OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            text.Append(k).Append('=').Append(v).Append('\0');
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()), hash);
        return new Guid(hash[..16]);
    }
}

/// <summary>A line of a list: its item, or why it cannot be one. <see cref="Number"/> counts from 1.</summary>
internal readonly record struct BulkLine(int Number, BulkItem? Item, string? Error);

/// <summary>
/// Reads a bulk ingest list, streaming: one record per line, as CSV (RFC 4180 fields: commas separate, a field in
/// double quotes may hold commas, a doubled quote is a quote), columns <c>source,external_id,labels</c> where labels
/// are <c>key=value</c> pairs separated by <c>;</c>. A plain line (a YouTube id, a URL or a path) is a record of one
/// field. An optional header row names the columns in any order. Blank lines and lines starting with <c>#</c> are
/// skipped. A record does not span lines (no field can hold a line break), so a line's number is its record's, and a
/// broken line is reported on its own without shifting the rest. Lines are bounded (<see cref="MaxLineLength"/>), so
/// a file of any size is read in constant memory.
/// </summary>
internal static partial class BulkList
{
    /// <summary>Longest line read; a longer one is reported and skipped (a URL, an id and 16 labels fit easily).</summary>
    public const int MaxLineLength = 4096;

    private static readonly string[] Columns = ["source", "external_id", "labels"];

    /// <summary>
    /// The lines of <paramref name="reader"/>, blank lines and comments left out. Relative paths are taken from
    /// <paramref name="baseDirectory"/> (the list's folder, as a playlist's are).
    /// </summary>
    public static async IAsyncEnumerable<BulkLine> ReadAsync(
        TextReader reader, string baseDirectory, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var lines = new BoundedLineReader(reader);
        int[]? order = null;
        var number = 0;
        var first = true;
        var fields = new List<string>(3);
        while (await lines.ReadAsync(cancellationToken) is { } line)
        {
            number++;
            if (line.TooLong)
            {
                yield return new BulkLine(number, null, $"line longer than {MaxLineLength} characters");
                continue;
            }

            var text = line.Text!;
            if (string.IsNullOrWhiteSpace(text) || text.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var error = Split(text, fields);
            if (first)
            {
                first = false;
                if (error is null && Header(fields) is { } header)
                {
                    order = header;
                    continue;
                }
            }

            yield return error is null
                ? Item(number, fields, order, baseDirectory)
                : new BulkLine(number, null, error);
        }
    }

    /// <summary>Splits one line into its CSV fields; the reason when the line is not CSV.</summary>
    internal static string? Split(string line, List<string> fields)
    {
        fields.Clear();
        var i = 0;
        while (true)
        {
            var field = new StringBuilder();
            while (i < line.Length && line[i] is ' ' or '\t')
            {
                i++;
            }

            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        return "unterminated quote (a quoted field ends with \" on the same line)";
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(line[i++]);
                }

                while (i < line.Length && line[i] is ' ' or '\t')
                {
                    i++;
                }

                if (i < line.Length && line[i] != ',')
                {
                    return $"text after a closing quote at column {i + 1}";
                }

                fields.Add(field.ToString());
            }
            else
            {
                var start = i;
                while (i < line.Length && line[i] != ',')
                {
                    if (line[i] == '"')
                    {
                        return $"a quote inside an unquoted field at column {i + 1} (quote the whole field and double the quote)";
                    }

                    i++;
                }

                // Unquoted fields are trimmed (a space after a comma is layout); quote a field to keep its spaces.
                fields.Add(line[start..i].Trim(' ', '\t'));
            }

            if (i >= line.Length)
            {
                return null;
            }

            i++; // the comma
        }
    }

    // A header names only known columns, each once, and has a source column.
    private static int[]? Header(List<string> fields)
    {
        var order = fields.Select(f => Array.IndexOf(Columns, f.ToLowerInvariant())).ToArray();
        return order.Contains(0) && order.All(c => c >= 0) && order.Distinct().Count() == order.Length ? order : null;
    }

    private static BulkLine Item(int number, List<string> fields, int[]? order, string baseDirectory)
    {
        var columns = order?.Length ?? Columns.Length;
        if (fields.Count > columns)
        {
            return new BulkLine(number, null, $"{fields.Count} fields, at most {columns} ({string.Join(',', order?.Select(c => Columns[c]) ?? Columns)})");
        }

        var values = new string?[Columns.Length];
        for (var f = 0; f < fields.Count; f++)
        {
            values[order?[f] ?? f] = fields[f].Length == 0 ? null : fields[f];
        }

        if (SourceError(values[0]) is { } sourceError)
        {
            return new BulkLine(number, null, sourceError);
        }

        var externalId = values[1];
        if (MediaLabels.ExternalIdError(externalId) is { } idError)
        {
            return new BulkLine(number, null, idError);
        }

        ImmutableDictionary<string, string>? labels;
        try
        {
            labels = MediaLabels.Parse(values[2]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? []);
        }
        catch (FormatException e)
        {
            return new BulkLine(number, null, e.Message);
        }

        var source = values[0]!;
        if (IngestSource.Classify(source) == SourceKind.LocalPath)
        {
            source = Path.GetFullPath(source, baseDirectory);
        }

        return new BulkLine(number, new BulkItem(source, externalId, labels), null);
    }

    private static string? SourceError(string? source)
    {
        if (source is null)
        {
            return "no source (the first column, or the one headed 'source')";
        }

        if (source.Any(char.IsControl))
        {
            return "source contains control characters";
        }

        // Anything ingest does not fetch would be taken for a local path and refused as a missing file: say what it is.
        if (IngestSource.Classify(source) == SourceKind.LocalPath && OtherScheme().Match(source) is { Success: true } scheme)
        {
            return $"unknown source form '{scheme.Value}…': give a YouTube id, an http(s) URL or a file path";
        }

        return null;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]{0,31}://")]
    private static partial Regex OtherScheme();

    /// <summary>A line, or a note that it was longer than the limit (its text then dropped, not kept).</summary>
    private readonly record struct Line(string? Text, bool TooLong);

    /// <summary>
    /// Lines of at most <see cref="MaxLineLength"/> characters: a longer one is consumed to its end without being kept,
    /// so a file with one gigantic line does not become a gigantic string (TextReader.ReadLine would).
    /// </summary>
    private sealed class BoundedLineReader(TextReader reader)
    {
        private readonly char[] _buffer = new char[8192];
        private readonly StringBuilder _line = new();
        private int _position;
        private int _length;

        public async ValueTask<Line?> ReadAsync(CancellationToken cancellationToken)
        {
            _line.Clear();
            var tooLong = false;
            while (true)
            {
                if (_position == _length)
                {
                    _length = await reader.ReadAsync(_buffer, cancellationToken);
                    _position = 0;
                    if (_length == 0)
                    {
                        return _line.Length == 0 && !tooLong ? null : End(tooLong);
                    }
                }

                var newline = Array.IndexOf(_buffer, '\n', _position, _length - _position);
                var end = newline < 0 ? _length : newline;
                if (!tooLong)
                {
                    _line.Append(_buffer, _position, end - _position);
                    if (_line.Length > MaxLineLength + 1)
                    {
                        tooLong = true;
                        _line.Clear();
                    }
                }

                _position = newline < 0 ? _length : newline + 1;
                if (newline >= 0)
                {
                    return End(tooLong);
                }
            }
        }

        private Line End(bool tooLong)
        {
            if (tooLong)
            {
                return new Line(null, true);
            }

            // CRLF is CSV's line ending; LF alone is accepted too.
            if (_line.Length > 0 && _line[^1] == '\r')
            {
                _line.Length--;
            }

            return _line.Length > MaxLineLength ? new Line(null, true) : new Line(_line.ToString(), false);
        }
    }
}
