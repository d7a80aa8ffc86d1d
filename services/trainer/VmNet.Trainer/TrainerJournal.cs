using System.Text.Json;
using System.Text.Json.Serialization;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.Trainer;

/// <summary>
/// What one training decided, kept until every answer is on the bus: the version, whether it was published, and the
/// messages to send (one per request the training answered).
/// </summary>
internal sealed record OutboxEntry(string Version, bool Publish, DateTimeOffset DecidedAt, IReadOnlyList<ModelPublished> Published, IReadOnlyList<ModelRejected> Rejected)
{
    public IEnumerable<Guid> CorrelationIds => Published.Select(p => p.CorrelationId).Concat(Rejected.Select(r => r.CorrelationId));
}

/// <summary>
/// The trainer's durable state beside its model folders, under <c>&lt;data&gt;/trainer/</c>: retrain requests not yet
/// answered (<c>requests/&lt;correlation id&gt;.json</c>) and decided answers not yet sent (<c>outbox/&lt;version&gt;.json</c>).
/// Files, not the catalogue database: the published marker it guards is a file in the model folder, and the trainer
/// needs the same behaviour whichever catalogue kind (SQLite, PostgreSQL) is configured. Each file is written to a
/// temporary name, flushed to disk and renamed, so a crash leaves either the whole record or none.
/// </summary>
internal sealed class TrainerJournal
{
    private const string TempSuffix = ".tmp";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // A rejection before any live model carries NaN as the live figure.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly string _requests;
    private readonly string _outbox;

    public TrainerJournal(DataDirectory data)
    {
        var root = Path.Combine(data.Root, "trainer");
        _requests = Directory.CreateDirectory(Path.Combine(root, "requests")).FullName;
        _outbox = Directory.CreateDirectory(Path.Combine(root, "outbox")).FullName;

        // Writes a previous process did not finish: their records were never there. Only here, before this process
        // writes anything; later a temporary file may be a write in progress.
        foreach (var temp in Directory.EnumerateFiles(_requests, "*" + TempSuffix).Concat(Directory.EnumerateFiles(_outbox, "*" + TempSuffix)))
        {
            File.Delete(temp);
        }
    }

    public void AddRequest(RetrainRequested request) => Write(Path.Combine(_requests, RequestName(request)), request);

    public void RemoveRequest(Guid correlationId) => File.Delete(Path.Combine(_requests, $"{correlationId:N}.json"));

    private static string RequestName(RetrainRequested request) => $"{request.CorrelationId:N}.json";

    private static string OutboxName(OutboxEntry entry) => $"{entry.Version}.json";

    /// <summary>Requests recorded and not yet answered, oldest first; a record that cannot be read is dropped (with its reason).</summary>
    public IReadOnlyList<RetrainRequested> PendingRequests(Action<string, string> dropped) =>
        [.. Read<RetrainRequested>(_requests, RequestName, dropped).OrderBy(r => r.RequestedAt)];

    public void AddOutbox(OutboxEntry entry) => Write(Path.Combine(_outbox, OutboxName(entry)), entry);

    /// <summary>Removes the entry read or written for <paramref name="entry"/> (its name was checked against its content).</summary>
    public void RemoveOutbox(OutboxEntry entry) => File.Delete(Path.Combine(_outbox, OutboxName(entry)));

    /// <summary>Decisions whose answers were not all sent, oldest first.</summary>
    public IReadOnlyList<OutboxEntry> Outbox(Action<string, string> dropped) =>
        [.. Read<OutboxEntry>(_outbox, OutboxName, dropped).OrderBy(e => e.DecidedAt)];

    /// <summary>
    /// The records of <paramref name="folder"/>. One whose content does not name its own file is dropped: a later
    /// removal derives the path from the content, and must never reach another file.
    /// </summary>
    private static IEnumerable<T> Read<T>(string folder, Func<T, string> nameOf, Action<string, string> dropped)
        where T : class
    {
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            if (path.EndsWith(TempSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            T? value;
            try
            {
                value = JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json);
            }
            catch (FileNotFoundException)
            {
                // Removed since the listing (answered meanwhile).
                continue;
            }
            catch (JsonException e)
            {
                value = default;
                dropped(Path.GetFileName(path), e.Message);
            }

            if (value is not null && !string.Equals(nameOf(value), Path.GetFileName(path), StringComparison.Ordinal))
            {
                dropped(Path.GetFileName(path), "its content names another record");
                value = null;
            }

            if (value is null)
            {
                File.Delete(path);
                continue;
            }

            yield return value;
        }
    }

    private static void Write<T>(string path, T value)
    {
        // A name of its own, so two writes of the same record (a redelivered request) never share a temporary file.
        var temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, value, Json);
            // The record must be on disk before anything that relies on it (an ack, a published marker) happens.
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
