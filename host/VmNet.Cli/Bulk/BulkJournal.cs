using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VmNet.Commands;

namespace VmNet.Cli.Bulk;

/// <summary>Where a list's line stands across runs.</summary>
internal enum LineState
{
    /// <summary>Published; no answer recorded yet (the process may have been stopped while it was in flight).</summary>
    Sent,

    /// <summary>Ingest answered with the item (and, on the embedded default, its features are stored).</summary>
    Ingested,

    /// <summary>Ingest refused the input (IngestFailed): the same request would be refused again, so it is not resent.</summary>
    Failed,

    /// <summary>A failure that may pass (a crash, no answer in time): the next run sends it again.</summary>
    Retry,
}

/// <summary>One record of the journal, one JSON line.</summary>
internal sealed record JournalEntry(
    Guid Key, int Line, LineState State, Guid? CorrelationId = null, string? MediaId = null, string? Reason = null, string? Source = null);

/// <summary>
/// A list's resume state: an append-only journal of JSON lines in <c>DATA/bulk/&lt;name&gt;.jsonl</c>, one entry per
/// change of a line's state, the last entry for a key winning. It lives in the data directory, beside the catalogue it
/// describes (another data directory is another catalogue, so it starts afresh). It is named by the list's full path,
/// not by the list's contents: people fix a bad line or append ids to the same file and rerun it, and entries are
/// keyed by each request's content (<see cref="BulkItem.Key"/>), so an edit never makes a done line look undone, nor
/// an undone one done. A request is recorded as sent before it is published and its answer is recorded before the
/// answer is acknowledged, so a process killed at any point leaves every published request either answered in the
/// journal or marked sent (its answer still waiting in the list's queue, see <see cref="BulkIngestRun"/>). Each entry
/// is flushed to the operating system at once (a killed process loses none) and the file is held exclusively, so two
/// runs of one list cannot interleave. A torn last line (power loss) is skipped when read.
/// </summary>
internal sealed class BulkJournal : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Options = CliJson.Options;
    private readonly FileStream _file;
    private readonly Dictionary<Guid, JournalEntry> _last;
    private readonly Dictionary<string, Guid> _mediaOwner = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _write = new(1, 1);

    private BulkJournal(string path, FileStream file, Dictionary<Guid, JournalEntry> last)
    {
        Path = path;
        _file = file;
        _last = last;
        foreach (var entry in last.Values.Where(e => e.State == LineState.Ingested && e.MediaId is not null))
        {
            _mediaOwner.TryAdd(entry.MediaId!, entry.Key);
        }
    }

    public string Path { get; }

    /// <summary>The list's state name: the first 64 bits of the SHA-256 of its full path, as hex.</summary>
    public static string NameFor(string listPath) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(System.IO.Path.GetFullPath(listPath))))[..16];

    /// <summary>Opens (or starts) the journal of the list named <paramref name="name"/> under <paramref name="folder"/>.</summary>
    public static async Task<BulkJournal> OpenAsync(string folder, string name, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, name + ".jsonl");
        FileStream file;
        try
        {
            // FileShare.None takes an exclusive lock on Unix too (flock): a second run of the same list stops here.
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.Asynchronous);
        }
        catch (IOException)
        {
            throw new UsageException($"another run of this list is under way (its state {path} is locked)");
        }

        var last = new Dictionary<Guid, JournalEntry>();
        using (var reader = new StreamReader(file, Encoding.UTF8, false, 4096, leaveOpen: true))
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (Parse(line) is { } entry)
                {
                    // Only a failure's reason is worth keeping in memory; everything else is a state and a media id.
                    last[entry.Key] = entry.State is LineState.Failed or LineState.Retry ? entry : entry with { Source = null };
                }
            }
        }

        // A torn last line (no newline) would glue itself to the next entry: start the next one on a line of its own.
        if (file.Length > 0)
        {
            file.Seek(-1, SeekOrigin.End);
            var end = file.ReadByte();
            if (end != '\n')
            {
                file.WriteByte((byte)'\n');
            }
        }

        file.Seek(0, SeekOrigin.End);
        return new BulkJournal(path, file, last);
    }

    /// <summary>The last state recorded for <paramref name="key"/>.</summary>
    public JournalEntry? Last(Guid key)
    {
        lock (_last)
        {
            return _last.GetValueOrDefault(key);
        }
    }

    /// <summary>Every entry whose last state is <paramref name="state"/>.</summary>
    public IReadOnlyList<JournalEntry> InState(LineState state)
    {
        lock (_last)
        {
            return [.. _last.Values.Where(e => e.State == state)];
        }
    }

    /// <summary>True when a line other than <paramref name="key"/> already produced <paramref name="mediaId"/>.</summary>
    public bool HasMedia(string mediaId, Guid key)
    {
        lock (_last)
        {
            return _mediaOwner.TryGetValue(mediaId, out var owner) && owner != key;
        }
    }

    /// <summary>Appends <paramref name="entry"/> and flushes it before returning.</summary>
    public async Task RecordAsync(JournalEntry entry, CancellationToken cancellationToken = default)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(entry, Options);
        await _write.WaitAsync(cancellationToken);
        try
        {
            await _file.WriteAsync(bytes, CancellationToken.None);
            await _file.WriteAsync("\n"u8.ToArray(), CancellationToken.None);
            await _file.FlushAsync(CancellationToken.None);
        }
        finally
        {
            _write.Release();
        }

        lock (_last)
        {
            _last[entry.Key] = entry.State is LineState.Failed or LineState.Retry ? entry : entry with { Source = null };
            if (entry is { State: LineState.Ingested, MediaId: { } mediaId })
            {
                _mediaOwner.TryAdd(mediaId, entry.Key);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync();
        _write.Dispose();
    }

    private static JournalEntry? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<JournalEntry>(line, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
