using Npgsql;
using NpgsqlTypes;
using VmNet.Catalogue;

namespace VmNet.Storage;

/// <summary>
/// Tombstones (<see cref="IRemovalLedger"/>) in the catalogue's database. Under READ COMMITTED a statement's snapshot
/// may predate a tombstone committed while it waits, so every catalogue write and the tombstone itself first take the
/// item's transaction-scoped advisory lock: a write either commits before the tombstone (and the purge deletes its row)
/// or starts its statement after it (and sees it).
/// </summary>
public sealed partial class PostgresFeatureCatalogue : IRemovalLedger
{
    private const string RemovalColumns = "media_id, external_id, correlation_id, requested_by, requested_at, state, completed_at";

    private const string RemovalsSchema = """

        CREATE TABLE IF NOT EXISTS media_removals (
            media_id text PRIMARY KEY,
            external_id text NULL,
            correlation_id uuid NOT NULL,
            requested_by text NOT NULL,
            requested_at timestamptz NOT NULL,
            state integer NOT NULL,
            completed_at timestamptz NULL);
        CREATE INDEX IF NOT EXISTS media_removals_external_id ON media_removals (external_id) WHERE external_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS media_removals_state ON media_removals (state) WHERE state < 2;
        """;

    // The condition every read of catalogue_items adds: a tombstoned item is gone from the moment its tombstone commits.
    private const string NotRemoved = "NOT EXISTS (SELECT 1 FROM media_removals WHERE media_removals.media_id = catalogue_items.media_id)";

    private const string ItemLock = "SELECT pg_advisory_xact_lock(hashtextextended('vmnet-item:' || @id, 0));\n";

    public async Task<bool> DeleteAsync(string mediaId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaId);
        await using var command = _db.CreateCommand("DELETE FROM catalogue_items WHERE media_id = @id");
        command.Parameters.AddWithValue("id", mediaId);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<Removal> BeginRemovalAsync(Removal removal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(removal);
        ArgumentException.ThrowIfNullOrWhiteSpace(removal.MediaId);
        await using (var connection = await _db.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await LockItemAsync(connection, transaction, removal.MediaId, cancellationToken);
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO media_removals ({RemovalColumns}) VALUES (@id, @external, @correlation, @by, @at, @state, NULL)
                ON CONFLICT (media_id) DO NOTHING
                """, connection, transaction);
            insert.Parameters.AddWithValue("id", removal.MediaId);
            insert.Parameters.Add(new NpgsqlParameter<string?>("external", NpgsqlDbType.Text) { TypedValue = removal.ExternalId });
            insert.Parameters.AddWithValue("correlation", removal.CorrelationId);
            insert.Parameters.AddWithValue("by", removal.RequestedBy);
            insert.Parameters.AddWithValue("at", removal.RequestedAt.ToUniversalTime());
            insert.Parameters.AddWithValue("state", (int)removal.State);
            await insert.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return await FindRemovalAsync(removal.MediaId, cancellationToken)
            ?? throw new InvalidOperationException($"the tombstone of {removal.MediaId} vanished after it was written");
    }

    public Task<Removal?> FindRemovalAsync(string mediaId, CancellationToken cancellationToken) =>
        QueryRemovalAsync("media_id = @key", mediaId, cancellationToken);

    public Task<Removal?> FindRemovalByExternalIdAsync(string externalId, CancellationToken cancellationToken) =>
        QueryRemovalAsync("external_id = @key ORDER BY requested_at DESC LIMIT 1", externalId, cancellationToken);

    public async Task<IReadOnlySet<string>> RemovedAmongAsync(IReadOnlyCollection<string> mediaIds, CancellationToken cancellationToken)
    {
        var removed = new HashSet<string>(StringComparer.Ordinal);
        if (mediaIds.Count == 0)
        {
            return removed;
        }

        await using var command = _db.CreateCommand("SELECT media_id FROM media_removals WHERE media_id = ANY(@ids)");
        command.Parameters.AddWithValue("ids", mediaIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            removed.Add(reader.GetString(0));
        }

        return removed;
    }

    public async Task AdvanceRemovalAsync(string mediaId, RemovalState state, CancellationToken cancellationToken)
    {
        await using var command = _db.CreateCommand("""
            UPDATE media_removals SET state = @state, completed_at = CASE WHEN @state = 2 THEN now() ELSE completed_at END
            WHERE media_id = @id AND state < @state
            """);
        command.Parameters.AddWithValue("id", mediaId);
        command.Parameters.AddWithValue("state", (int)state);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Removal>> ListRemovalsAsync(RemovalState state, CancellationToken cancellationToken)
    {
        await using var command = _db.CreateCommand($"SELECT {RemovalColumns} FROM media_removals WHERE state = @state ORDER BY requested_at");
        command.Parameters.AddWithValue("state", (int)state);
        var list = new List<Removal>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(ReadRemoval(reader));
        }

        return list;
    }

    private static async Task LockItemAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string mediaId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(ItemLock, connection, transaction);
        command.Parameters.AddWithValue("id", mediaId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The item's advisory lock held by the connection's session until disposed (it conflicts with <see cref="ItemLock"/>).</summary>
    private sealed class ItemSessionLock(NpgsqlConnection connection, string mediaId) : IAsyncDisposable
    {
        private const string Key = "hashtextextended('vmnet-item:' || @id, 0)";

        public static async Task<ItemSessionLock> TakeAsync(NpgsqlConnection connection, string mediaId, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({Key})", connection);
            command.Parameters.AddWithValue("id", mediaId);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new ItemSessionLock(connection, mediaId);
        }

        public async ValueTask DisposeAsync()
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await using var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({Key})", connection);
                command.Parameters.AddWithValue("id", mediaId);
                await command.ExecuteNonQueryAsync();
            }
        }
    }

    private async Task<Removal?> QueryRemovalAsync(string condition, string key, CancellationToken cancellationToken)
    {
        await using var command = _db.CreateCommand($"SELECT {RemovalColumns} FROM media_removals WHERE {condition}");
        command.Parameters.AddWithValue("key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadRemoval(reader) : null;
    }

    private static Removal ReadRemoval(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.IsDBNull(1) ? null : r.GetString(1),
        r.GetGuid(2),
        r.GetString(3),
        r.GetFieldValue<DateTimeOffset>(4),
        (RemovalState)r.GetInt32(5),
        r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6));
}
