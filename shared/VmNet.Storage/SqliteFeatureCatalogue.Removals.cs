using System.Globalization;
using Microsoft.Data.Sqlite;
using VmNet.Catalogue;

namespace VmNet.Storage;

/// <summary>
/// Tombstones (<see cref="IRemovalLedger"/>) in the catalogue's own file, so each catalogue statement can check one in
/// the same statement: SQLite runs a writing statement under the database's one write lock, so a feature upsert
/// either lands before the tombstone (and the purge deletes it) or sees it (and writes nothing).
/// </summary>
public sealed partial class SqliteFeatureCatalogue : IRemovalLedger
{
    private const string RemovalColumns = "media_id, external_id, correlation_id, requested_by, requested_at, state, completed_at";

    // The condition every read of items adds: a tombstoned item is gone from the moment its tombstone is written.
    private const string NotRemoved = "NOT EXISTS (SELECT 1 FROM removals WHERE removals.media_id = items.media_id)";

    public async Task<bool> DeleteAsync(string mediaId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaId);
        await using var connection = Sqlite.Open(_path);
        // secure_delete: the freed pages are overwritten with zeros, so the features and metadata do not linger in the file.
        Sqlite.Execute(connection, "PRAGMA secure_delete = ON");
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM items WHERE media_id = $id";
        command.Parameters.AddWithValue("$id", mediaId);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<Removal> BeginRemovalAsync(Removal removal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(removal);
        ArgumentException.ThrowIfNullOrWhiteSpace(removal.MediaId);
        await using (var connection = Sqlite.Open(_path))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"""
                INSERT INTO removals ({RemovalColumns}) VALUES ($id, $external, $correlation, $by, $at, $state, NULL)
                ON CONFLICT (media_id) DO NOTHING
                """;
            command.Parameters.AddWithValue("$id", removal.MediaId);
            command.Parameters.AddWithValue("$external", (object?)removal.ExternalId ?? DBNull.Value);
            command.Parameters.AddWithValue("$correlation", removal.CorrelationId.ToString());
            command.Parameters.AddWithValue("$by", removal.RequestedBy);
            command.Parameters.AddWithValue("$at", removal.RequestedAt.ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$state", (int)removal.State);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return await FindRemovalAsync(removal.MediaId, cancellationToken)
            ?? throw new InvalidOperationException($"the tombstone of {removal.MediaId} vanished after it was written");
    }

    public Task<Removal?> FindRemovalAsync(string mediaId, CancellationToken cancellationToken) =>
        QueryRemovalAsync("media_id = $key", mediaId, cancellationToken);

    public Task<Removal?> FindRemovalByExternalIdAsync(string externalId, CancellationToken cancellationToken) =>
        QueryRemovalAsync("external_id = $key ORDER BY requested_at DESC LIMIT 1", externalId, cancellationToken);

    public async Task<IReadOnlySet<string>> RemovedAmongAsync(IReadOnlyCollection<string> mediaIds, CancellationToken cancellationToken)
    {
        var removed = new HashSet<string>(StringComparer.Ordinal);
        if (mediaIds.Count == 0)
        {
            return removed;
        }

        await using var connection = Sqlite.Open(_path);
        await using var command = connection.CreateCommand();
        // One JSON array parameter, whatever the count: no statement text built from the ids.
        command.CommandText = "SELECT media_id FROM removals WHERE media_id IN (SELECT value FROM json_each($ids))";
        command.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(mediaIds));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            removed.Add(reader.GetString(0));
        }

        return removed;
    }

    public async Task AdvanceRemovalAsync(string mediaId, RemovalState state, CancellationToken cancellationToken)
    {
        await using var connection = Sqlite.Open(_path);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE removals SET state = $state, completed_at = CASE WHEN $state = 2 THEN $now ELSE completed_at END
            WHERE media_id = $id AND state < $state
            """;
        command.Parameters.AddWithValue("$id", mediaId);
        command.Parameters.AddWithValue("$state", (int)state);
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Removal>> ListRemovalsAsync(RemovalState state, CancellationToken cancellationToken)
    {
        await using var connection = Sqlite.Open(_path);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {RemovalColumns} FROM removals WHERE state = $state ORDER BY requested_at";
        command.Parameters.AddWithValue("$state", (int)state);
        var list = new List<Removal>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(ReadRemoval(reader));
        }

        return list;
    }

    private static void CreateRemovals(SqliteConnection connection) => Sqlite.Execute(connection, """
        CREATE TABLE IF NOT EXISTS removals (
            media_id TEXT PRIMARY KEY,
            external_id TEXT NULL,
            correlation_id TEXT NOT NULL,
            requested_by TEXT NOT NULL,
            requested_at TEXT NOT NULL,
            state INTEGER NOT NULL,
            completed_at TEXT NULL);
        CREATE INDEX IF NOT EXISTS removals_external_id ON removals (external_id) WHERE external_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS removals_state ON removals (state) WHERE state < 2;
        """);

    private async Task<Removal?> QueryRemovalAsync(string condition, string key, CancellationToken cancellationToken)
    {
        await using var connection = Sqlite.Open(_path);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {RemovalColumns} FROM removals WHERE {condition}";
        command.Parameters.AddWithValue("$key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadRemoval(reader) : null;
    }

    private static Removal ReadRemoval(SqliteDataReader r) => new(
        r.GetString(0),
        r.IsDBNull(1) ? null : r.GetString(1),
        Guid.Parse(r.GetString(2)),
        r.GetString(3),
        DateTimeOffset.Parse(r.GetString(4), CultureInfo.InvariantCulture),
        (RemovalState)r.GetInt32(5),
        r.IsDBNull(6) ? null : DateTimeOffset.Parse(r.GetString(6), CultureInfo.InvariantCulture));
}
