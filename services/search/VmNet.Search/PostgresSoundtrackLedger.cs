using System.Collections.Immutable;
using System.Text.Json;
using Npgsql;
using VmNet.Contracts;
using VmNet.Storage;

namespace VmNet.Search;

/// <summary>The ledger on PostgreSQL (<c>Catalogue:Kind=Postgres</c>): one table every search process shares.</summary>
internal sealed class PostgresSoundtrackLedger : ISoundtrackLedger
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS soundtrack_suggestions (
            media_id text NOT NULL,
            model_version text NOT NULL,
            tracks jsonb NOT NULL,
            suggested_at timestamptz NOT NULL,
            PRIMARY KEY (media_id, model_version));
        """;

    private readonly NpgsqlDataSource _db;

    public PostgresSoundtrackLedger(PostgresDatabase database)
    {
        _db = database.DataSource;
        database.EnsureSchema("soundtracks", Schema);
    }

    public async Task<StoredSuggestion?> FindAsync(string mediaId, string modelVersion, CancellationToken cancellationToken)
    {
        await using var select = _db.CreateCommand("SELECT tracks::text, suggested_at FROM soundtrack_suggestions WHERE media_id = @media AND model_version = @model");
        select.Parameters.AddWithValue("media", mediaId);
        select.Parameters.AddWithValue("model", modelVersion);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var tracks = JsonSerializer.Deserialize<ImmutableArray<SuggestedTrack>>(reader.GetString(0));
        return new StoredSuggestion(mediaId, modelVersion, tracks, reader.GetFieldValue<DateTimeOffset>(1));
    }

    public async Task<StoredSuggestion> AddOrGetAsync(StoredSuggestion suggestion, CancellationToken cancellationToken)
    {
        await using (var insert = _db.CreateCommand("""
            INSERT INTO soundtrack_suggestions (media_id, model_version, tracks, suggested_at)
            VALUES (@media, @model, @tracks::jsonb, @at)
            ON CONFLICT (media_id, model_version) DO NOTHING
            """))
        {
            insert.Parameters.AddWithValue("media", suggestion.MediaId);
            insert.Parameters.AddWithValue("model", suggestion.ModelVersion);
            insert.Parameters.AddWithValue("tracks", JsonSerializer.Serialize(suggestion.Tracks));
            insert.Parameters.AddWithValue("at", suggestion.SuggestedAt.ToUniversalTime());
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return await FindAsync(suggestion.MediaId, suggestion.ModelVersion, cancellationToken)
            ?? throw new InvalidOperationException($"suggestion for {suggestion.MediaId} vanished after insert");
    }

    public async Task<int> ForgetAsync(string mediaId, CancellationToken cancellationToken)
    {
        // Tracks are System.Text.Json's SuggestedTrack objects: containment on their "MediaId" member.
        await using var delete = _db.CreateCommand("""
            DELETE FROM soundtrack_suggestions
            WHERE media_id = @media OR tracks @> jsonb_build_array(jsonb_build_object('MediaId', @media::text))
            """);
        delete.Parameters.AddWithValue("media", mediaId);
        return await delete.ExecuteNonQueryAsync(cancellationToken);
    }
}
