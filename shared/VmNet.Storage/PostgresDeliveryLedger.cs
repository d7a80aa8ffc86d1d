using Npgsql;
using VmNet.ServiceDefaults;

namespace VmNet.Storage;

/// <summary>
/// <see cref="IDeliveryLedger"/> in the catalogue's PostgreSQL database: one row per delivery phase, appended, never
/// updated, so a crash between two phases shows as a Received without its end.
/// </summary>
public sealed class PostgresDeliveryLedger : IDeliveryLedger
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS delivery_ledger (
            id bigserial PRIMARY KEY,
            queue text NOT NULL,
            message_type text NOT NULL,
            message_id uuid NOT NULL,
            media_id text NULL,
            redelivered boolean NOT NULL,
            phase smallint NOT NULL,
            process text NOT NULL,
            at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS delivery_ledger_message ON delivery_ledger (message_id);
        """;

    private readonly NpgsqlDataSource _db;

    public PostgresDeliveryLedger(PostgresDatabase database)
    {
        _db = database.DataSource;
        database.EnsureSchema("delivery-ledger", Schema);
    }

    public async Task RecordAsync(DeliveryRecord record, CancellationToken cancellationToken)
    {
        await using var command = _db.CreateCommand("""
            INSERT INTO delivery_ledger (queue, message_type, message_id, media_id, redelivered, phase, process, at)
            VALUES (@queue, @type, @id, @media, @redelivered, @phase, @process, @at)
            """);
        command.Parameters.AddWithValue("queue", record.Queue);
        command.Parameters.AddWithValue("type", record.MessageType);
        command.Parameters.AddWithValue("id", record.MessageId);
        command.Parameters.Add(new NpgsqlParameter<string?>("media", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = record.MediaId });
        command.Parameters.AddWithValue("redelivered", record.Redelivered);
        command.Parameters.AddWithValue("phase", (short)record.Phase);
        command.Parameters.AddWithValue("process", record.Process);
        command.Parameters.AddWithValue("at", record.At.ToUniversalTime());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Every record so far, in the order written.</summary>
    public async Task<List<DeliveryRecord>> ReadAsync(CancellationToken cancellationToken)
    {
        await using var command = _db.CreateCommand(
            "SELECT queue, message_type, message_id, media_id, redelivered, phase, process, at FROM delivery_ledger ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var records = new List<DeliveryRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new DeliveryRecord(
                reader.GetString(0), reader.GetString(1), reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetBoolean(4), (DeliveryPhase)reader.GetInt16(5), reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7)));
        }

        return records;
    }
}
