using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.Storage;

/// <summary>
/// Raw features per media id in <c>store/catalogue.db</c>. An item's kind is what ingest said when known
/// (<see cref="RecordKindAsync"/>); otherwise it is inferred from the halves present (both = pair). A half whose
/// extraction failed keeps the reason until that half's features arrive. A removed item (its tombstone in
/// <c>removals</c>, see the Removals part) is neither written nor read: every statement checks the tombstone itself.
/// </summary>
public sealed partial class SqliteFeatureCatalogue : IFeatureCatalogue
{
    private static readonly string Columns = CatalogueRows.Columns("labels");

    /// <summary>
    /// Columns added after the table first shipped. Every database, new or old, gets them the same way, so the
    /// migration path is the one every start takes.
    /// </summary>
    private static readonly (string Name, string Definition)[] AddedColumns =
    [
        ("music_failure", "TEXT NULL"),
        ("music_failed_at", "TEXT NULL"),
        ("video_failure", "TEXT NULL"),
        ("video_failed_at", "TEXT NULL"),
        ("source", "TEXT NULL"),
        ("title", "TEXT NULL"),
        ("artist", "TEXT NULL"),
        ("album", "TEXT NULL"),
        ("external_id", "TEXT NULL"),
        // A JSON object of label → value; filters read it with json_each.
        ("labels", "TEXT NULL"),
    ];

    private readonly string _path;

    public SqliteFeatureCatalogue(DataDirectory data)
    {
        _path = Path.Combine(data.Store, "catalogue.db");
        using var connection = Sqlite.Open(_path);
        Sqlite.Execute(connection, """
            CREATE TABLE IF NOT EXISTS items (
                media_id TEXT PRIMARY KEY,
                kind INTEGER NOT NULL,
                kind_known INTEGER NOT NULL DEFAULT 0,
                duration REAL NOT NULL,
                tempo REAL NULL,
                music BLOB NULL, music_version TEXT NULL,
                video BLOB NULL, video_version TEXT NULL,
                updated_at TEXT NOT NULL);
            """);
        AddMissingColumns(connection);
        CreateRemovals(connection);
    }

    public Task UpsertMusicAsync(string mediaId, MediaKind kind, float[] features, string extractorVersion, double durationSeconds, double? tempoBpm, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            INSERT INTO items (media_id, kind, duration, tempo, music, music_version, updated_at)
            SELECT $id, $kind, $duration, $tempo, $features, $version, $now WHERE NOT EXISTS (SELECT 1 FROM removals WHERE media_id = $id)
            ON CONFLICT (media_id) DO UPDATE SET
                kind = CASE WHEN items.kind_known = 1 THEN items.kind WHEN items.video IS NOT NULL THEN 0 ELSE excluded.kind END,
                duration = excluded.duration, tempo = excluded.tempo,
                music = excluded.music, music_version = excluded.music_version, updated_at = excluded.updated_at,
                music_failure = NULL, music_failed_at = NULL
            """, mediaId, kind, durationSeconds, tempoBpm, features, extractorVersion, cancellationToken);

    public Task UpsertVideoAsync(string mediaId, MediaKind kind, float[] features, string extractorVersion, double durationSeconds, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            INSERT INTO items (media_id, kind, duration, video, video_version, updated_at)
            SELECT $id, $kind, $duration, $features, $version, $now WHERE NOT EXISTS (SELECT 1 FROM removals WHERE media_id = $id)
            ON CONFLICT (media_id) DO UPDATE SET
                kind = CASE WHEN items.kind_known = 1 THEN items.kind WHEN items.music IS NOT NULL THEN 0 ELSE excluded.kind END,
                duration = MAX(items.duration, excluded.duration),
                video = excluded.video, video_version = excluded.video_version, updated_at = excluded.updated_at,
                video_failure = NULL, video_failed_at = NULL
            """, mediaId, kind, durationSeconds, null, features, extractorVersion, cancellationToken);

    /// <summary>The kind ingest decided (from <c>MediaIngested</c>); it wins over inference from the halves.</summary>
    public Task RecordKindAsync(string mediaId, MediaKind kind, double durationSeconds, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            INSERT INTO items (media_id, kind, kind_known, duration, updated_at)
            SELECT $id, $kind, 1, $duration, $now WHERE NOT EXISTS (SELECT 1 FROM removals WHERE media_id = $id)
            ON CONFLICT (media_id) DO UPDATE SET
                -- A pair stays a pair: the same bytes ingested again as music or video must not take them out of the training set.
                kind = CASE WHEN items.kind_known = 1 AND items.kind = 0 THEN 0 ELSE excluded.kind END, kind_known = 1,
                duration = CASE WHEN items.duration > 0 THEN items.duration ELSE excluded.duration END
            """, mediaId, kind, durationSeconds, null, null, null, cancellationToken);

    public async Task RecordFailureAsync(string mediaId, Modality modality, string reason, DateTimeOffset failedAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaId);
        var half = modality switch
        {
            Modality.Music => "music",
            Modality.Video => "video",
            _ => throw new ArgumentOutOfRangeException(nameof(modality), modality, "no such half"),
        };

        await using var connection = Sqlite.Open(_path);
        await using var command = connection.CreateCommand();
        // An item first heard of through a failure takes the failed half as its kind, not marked known: ingest's kind
        // or the other half's features correct it. The WHERE keeps a repeated failure from touching updated_at.
        command.CommandText = $"""
            INSERT INTO items (media_id, kind, duration, {half}_failure, {half}_failed_at, updated_at)
            SELECT $id, $kind, 0, $reason, $failedAt, $now WHERE NOT EXISTS (SELECT 1 FROM removals WHERE media_id = $id)
            ON CONFLICT (media_id) DO UPDATE SET
                {half}_failure = excluded.{half}_failure, {half}_failed_at = excluded.{half}_failed_at,
                updated_at = excluded.updated_at
            WHERE items.{half}_failure IS NOT excluded.{half}_failure OR items.{half}_failed_at IS NOT excluded.{half}_failed_at
            """;
        command.Parameters.AddWithValue("$id", mediaId);
        command.Parameters.AddWithValue("$kind", (int)(modality == Modality.Music ? MediaKind.Music : MediaKind.Video));
        command.Parameters.AddWithValue("$reason", reason);
        command.Parameters.AddWithValue("$failedAt", failedAt.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RecordMetadataAsync(string mediaId, MediaMetadata metadata, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaId);
        ArgumentNullException.ThrowIfNull(metadata);
        // The catalogue is a second line: ingest refuses these, but a message may come from elsewhere on the bus.
        if ((MediaLabels.ExternalIdError(metadata.ExternalId) ?? MediaLabels.LabelsError(metadata.Labels)) is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(metadata));
        }

        await using var connection = Sqlite.Open(_path);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);
        if (metadata.ExternalId is not null)
        {
            await using var release = connection.CreateCommand();
            release.Transaction = transaction;
            release.CommandText = "UPDATE items SET external_id = NULL WHERE external_id = $external AND media_id <> $id";
            release.Parameters.AddWithValue("$external", metadata.ExternalId);
            release.Parameters.AddWithValue("$id", mediaId);
            await release.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // A row made here (metadata before kind) has kind_known = 0 and no features: RecordKindAsync and the upserts fill it.
        command.CommandText = """
            INSERT INTO items (media_id, kind, duration, updated_at, source, title, artist, album, external_id, labels)
            SELECT $id, 0, 0, $now, $source, $title, $artist, $album, $external, $labels WHERE NOT EXISTS (SELECT 1 FROM removals WHERE media_id = $id)
            ON CONFLICT (media_id) DO UPDATE SET
                source = COALESCE(excluded.source, items.source), title = COALESCE(excluded.title, items.title),
                artist = COALESCE(excluded.artist, items.artist), album = COALESCE(excluded.album, items.album),
                external_id = COALESCE(excluded.external_id, items.external_id), labels = COALESCE(excluded.labels, items.labels)
            """;
        command.Parameters.AddWithValue("$id", mediaId);
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$source", (object?)MediaLabels.CleanTag(metadata.Source, MediaLabels.MaxSourceLength) ?? DBNull.Value);
        command.Parameters.AddWithValue("$title", (object?)MediaLabels.CleanTag(metadata.Title) ?? DBNull.Value);
        command.Parameters.AddWithValue("$artist", (object?)MediaLabels.CleanTag(metadata.Artist) ?? DBNull.Value);
        command.Parameters.AddWithValue("$album", (object?)MediaLabels.CleanTag(metadata.Album) ?? DBNull.Value);
        command.Parameters.AddWithValue("$external", (object?)metadata.ExternalId ?? DBNull.Value);
        command.Parameters.AddWithValue("$labels", metadata.Labels is null ? DBNull.Value : JsonSerializer.Serialize(metadata.Labels));
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<CatalogueItem?> FindByExternalIdAsync(string externalId, CancellationToken cancellationToken)
    {
        await using var connection = Sqlite.Open(_path);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM items WHERE external_id = $external AND {NotRemoved}";
        command.Parameters.AddWithValue("$external", externalId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<CataloguePage> ListPageAsync(CatalogueFilter filter, string? after, int limit, CancellationToken cancellationToken)
    {
        CatalogueRows.CheckListing(filter, limit);

        await using var connection = Sqlite.Open(_path);
        await using var command = connection.CreateCommand();
        var where = new List<string> { "($after IS NULL OR media_id > $after)", "($kind IS NULL OR kind = $kind)", NotRemoved };
        command.Parameters.AddWithValue("$after", (object?)after ?? DBNull.Value);
        command.Parameters.AddWithValue("$kind", filter.Kind is null ? DBNull.Value : (int)filter.Kind);
        foreach (var (key, value, i) in CatalogueRows.Labels(filter))
        {
            where.Add($"EXISTS (SELECT 1 FROM json_each(items.labels) WHERE json_each.key = $k{i} AND json_each.value = $v{i})");
            command.Parameters.AddWithValue($"$k{i}", key);
            command.Parameters.AddWithValue($"$v{i}", value);
        }

        if (filter.Status is { } status)
        {
            where.Add(CatalogueStatusSql.Condition(status));
        }

        command.CommandText = $"SELECT {Columns} FROM items WHERE {string.Join(" AND ", where)} ORDER BY media_id LIMIT $limit";
        command.Parameters.AddWithValue("$limit", limit + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await CatalogueRows.PageAsync(reader, limit, r => Read((SqliteDataReader)r), cancellationToken);
    }

    public async Task<CatalogueItem?> GetAsync(string mediaId, CancellationToken cancellationToken)
    {
        await using var connection = Sqlite.Open(_path);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM items WHERE media_id = $id AND {NotRemoved}";
        command.Parameters.AddWithValue("$id", mediaId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async IAsyncEnumerable<CatalogueItem> ListAsync(MediaKind? kind, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = Sqlite.Open(_path);
        await using var command = connection.CreateCommand();
        // Items with no features yet (only their kind recorded) are not catalogue items.
        command.CommandText = $"SELECT {Columns} FROM items WHERE (music IS NOT NULL OR video IS NOT NULL) AND ($kind IS NULL OR kind = $kind) AND {NotRemoved} ORDER BY media_id";
        command.Parameters.AddWithValue("$kind", kind is null ? DBNull.Value : (int)kind);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return Read(reader);
        }
    }

    public async Task<int> CountAsync(MediaKind? kind, CancellationToken cancellationToken)
    {
        await using var connection = Sqlite.Open(_path);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM items WHERE (music IS NOT NULL OR video IS NOT NULL) AND ($kind IS NULL OR kind = $kind) AND {NotRemoved}";
        command.Parameters.AddWithValue("$kind", kind is null ? DBNull.Value : (int)kind);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private async Task ExecuteAsync(string sql, string mediaId, MediaKind kind, double duration, double? tempo, float[]? features, string? version, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaId);
        if (features is not null && (features.Length == 0 || features.Any(f => !float.IsFinite(f))))
        {
            throw new ArgumentException($"features of {mediaId} are empty or not finite");
        }

        await using var connection = Sqlite.Open(_path);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", mediaId);
        command.Parameters.AddWithValue("$kind", (int)kind);
        command.Parameters.AddWithValue("$duration", duration);
        command.Parameters.AddWithValue("$tempo", tempo is null ? DBNull.Value : tempo.Value);
        command.Parameters.AddWithValue("$features", features is null ? DBNull.Value : Sqlite.ToBlob(features));
        command.Parameters.AddWithValue("$version", version is null ? DBNull.Value : version);
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddMissingColumns(SqliteConnection connection)
    {
        // IMMEDIATE takes the write lock before reading the schema: two processes opening one old database at once
        // would otherwise both see a column missing and the second ALTER would fail.
        using var transaction = connection.BeginTransaction(deferred: false);
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT name FROM pragma_table_info('items')";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                present.Add(reader.GetString(0));
            }
        }

        foreach (var (name, definition) in AddedColumns.Where(c => !present.Contains(c.Name)))
        {
            Sqlite.Execute(connection, $"ALTER TABLE items ADD COLUMN {name} {definition}", transaction);
        }

        // One item per external id (RecordMetadataAsync moves an id rather than duplicating it); old rows have none.
        Sqlite.Execute(connection, "CREATE UNIQUE INDEX IF NOT EXISTS items_external_id ON items (external_id) WHERE external_id IS NOT NULL", transaction);

        transaction.Commit();
    }

    private static CatalogueItem Read(SqliteDataReader r) => CatalogueRows.Read(r, i => Sqlite.FromBlob((byte[])r[i]), i => DateTimeOffset.Parse(r.GetString(i), CultureInfo.InvariantCulture));
}
