using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.Search;

/// <summary>A suggestion as first made for one media id under one model version.</summary>
internal sealed record StoredSuggestion(string MediaId, string ModelVersion, ImmutableArray<SuggestedTrack> Tracks, DateTimeOffset SuggestedAt);

/// <summary>
/// What was suggested, per media id and model version. The first suggestion wins: a concurrent or later one for the
/// same key reads back the stored one instead of replacing it. On the catalogue's store (<c>Catalogue:Kind</c>), so
/// search processes on several machines share it.
/// </summary>
internal interface ISoundtrackLedger
{
    Task<StoredSuggestion?> FindAsync(string mediaId, string modelVersion, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="suggestion"/> unless one exists for its key; returns the one stored.</summary>
    Task<StoredSuggestion> AddOrGetAsync(StoredSuggestion suggestion, CancellationToken cancellationToken);

    /// <summary>
    /// A takedown: forgets every suggestion for <paramref name="mediaId"/> and every one that names it as a track (a
    /// later request for that video suggests afresh, without it). Returns how many were forgotten.
    /// </summary>
    Task<int> ForgetAsync(string mediaId, CancellationToken cancellationToken);
}

/// <summary>The ledger in SQLite, <c>store/soundtracks.db</c> (the embedded default).</summary>
internal sealed class SoundtrackLedger : ISoundtrackLedger
{
    private readonly string _connectionString;

    public SoundtrackLedger(DataDirectory data)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(data.Store, "soundtracks.db"),
            Pooling = true,
        }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS soundtrack_suggestions (
                media_id TEXT NOT NULL,
                model_version TEXT NOT NULL,
                tracks TEXT NOT NULL,
                suggested_at TEXT NOT NULL,
                PRIMARY KEY (media_id, model_version));
            """;
        command.ExecuteNonQuery();
    }

    public async Task<StoredSuggestion?> FindAsync(string mediaId, string modelVersion, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        return await FindAsync(connection, mediaId, modelVersion, cancellationToken);
    }

    public async Task<StoredSuggestion> AddOrGetAsync(StoredSuggestion suggestion, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using (var insert = connection.CreateCommand())
        {
            insert.CommandText = """
                INSERT OR IGNORE INTO soundtrack_suggestions (media_id, model_version, tracks, suggested_at)
                VALUES ($media, $model, $tracks, $at)
                """;
            insert.Parameters.AddWithValue("$media", suggestion.MediaId);
            insert.Parameters.AddWithValue("$model", suggestion.ModelVersion);
            insert.Parameters.AddWithValue("$tracks", JsonSerializer.Serialize(suggestion.Tracks));
            insert.Parameters.AddWithValue("$at", suggestion.SuggestedAt.ToString("O", CultureInfo.InvariantCulture));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return await FindAsync(connection, suggestion.MediaId, suggestion.ModelVersion, cancellationToken)
            ?? throw new InvalidOperationException($"suggestion for {suggestion.MediaId} vanished after insert");
    }

    public async Task<int> ForgetAsync(string mediaId, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using (var secure = connection.CreateCommand())
        {
            // Freed pages are zeroed: the forgotten suggestions do not linger in the file.
            secure.CommandText = "PRAGMA secure_delete = ON";
            await secure.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var delete = connection.CreateCommand();
        // Tracks are stored as System.Text.Json writes SuggestedTrack: an array of objects with a "MediaId" member.
        delete.CommandText = """
            DELETE FROM soundtrack_suggestions WHERE media_id = $media
                OR EXISTS (SELECT 1 FROM json_each(soundtrack_suggestions.tracks) WHERE json_extract(json_each.value, '$.MediaId') = $media);
            """;
        delete.Parameters.AddWithValue("$media", mediaId);
        return await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<StoredSuggestion?> FindAsync(SqliteConnection connection, string mediaId, string modelVersion, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT tracks, suggested_at FROM soundtrack_suggestions WHERE media_id = $media AND model_version = $model";
        select.Parameters.AddWithValue("$media", mediaId);
        select.Parameters.AddWithValue("$model", modelVersion);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var tracks = JsonSerializer.Deserialize<ImmutableArray<SuggestedTrack>>(reader.GetString(0));
        return new StoredSuggestion(mediaId, modelVersion, tracks, DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture));
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
