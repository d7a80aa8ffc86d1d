using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.Storage;

/// <summary>
/// The catalogue on PostgreSQL (<c>Catalogue:Kind=Postgres</c>): the same table and rules as
/// <see cref="SqliteFeatureCatalogue"/>, reachable from every machine of the distributed layout. Features are
/// <c>real[]</c>, times <c>timestamptz</c>.
/// </summary>
public sealed partial class PostgresFeatureCatalogue : IFeatureCatalogue
{
    private static readonly string Columns = CatalogueRows.Columns("labels::text");

    /// <summary>
    /// The table as first created, then every column added since with ADD COLUMN IF NOT EXISTS: a new database and an
    /// old one take the same path.
    /// </summary>
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS catalogue_items (
            media_id text PRIMARY KEY,
            kind integer NOT NULL,
            kind_known boolean NOT NULL DEFAULT false,
            duration double precision NOT NULL,
            tempo double precision NULL,
            music real[] NULL, music_version text NULL,
            video real[] NULL, video_version text NULL,
            updated_at timestamptz NOT NULL);
        ALTER TABLE catalogue_items
            ADD COLUMN IF NOT EXISTS music_failure text NULL,
            ADD COLUMN IF NOT EXISTS music_failed_at timestamptz NULL,
            ADD COLUMN IF NOT EXISTS video_failure text NULL,
            ADD COLUMN IF NOT EXISTS video_failed_at timestamptz NULL,
            ADD COLUMN IF NOT EXISTS source text NULL,
            ADD COLUMN IF NOT EXISTS title text NULL,
            ADD COLUMN IF NOT EXISTS artist text NULL,
            ADD COLUMN IF NOT EXISTS album text NULL,
            ADD COLUMN IF NOT EXISTS external_id text NULL,
            ADD COLUMN IF NOT EXISTS labels jsonb NULL;
        -- One item per external id (RecordMetadataAsync moves an id rather than duplicating it); old rows have none.
        CREATE UNIQUE INDEX IF NOT EXISTS catalogue_items_external_id ON catalogue_items (external_id) WHERE external_id IS NOT NULL;
        """;

    private readonly NpgsqlDataSource _db;

    public PostgresFeatureCatalogue(PostgresDatabase database)
    {
        _db = database.DataSource;
        database.EnsureSchema("catalogue", Schema + RemovalsSchema);
    }

    public Task UpsertMusicAsync(string mediaId, MediaKind kind, float[] features, string extractorVersion, double durationSeconds, double? tempoBpm, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            INSERT INTO catalogue_items AS items (media_id, kind, duration, tempo, music, music_version, updated_at)
            SELECT @id, @kind, @duration, @tempo, @features, @version, @now WHERE NOT EXISTS (SELECT 1 FROM media_removals WHERE media_id = @id)
            ON CONFLICT (media_id) DO UPDATE SET
                kind = CASE WHEN items.kind_known THEN items.kind WHEN items.video IS NOT NULL THEN 0 ELSE excluded.kind END,
                duration = excluded.duration, tempo = excluded.tempo,
                music = excluded.music, music_version = excluded.music_version, updated_at = excluded.updated_at,
                music_failure = NULL, music_failed_at = NULL
            """, mediaId, kind, durationSeconds, tempoBpm, features, extractorVersion, cancellationToken);

    public Task UpsertVideoAsync(string mediaId, MediaKind kind, float[] features, string extractorVersion, double durationSeconds, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            INSERT INTO catalogue_items AS items (media_id, kind, duration, video, video_version, updated_at)
            SELECT @id, @kind, @duration, @features, @version, @now WHERE NOT EXISTS (SELECT 1 FROM media_removals WHERE media_id = @id)
            ON CONFLICT (media_id) DO UPDATE SET
                kind = CASE WHEN items.kind_known THEN items.kind WHEN items.music IS NOT NULL THEN 0 ELSE excluded.kind END,
                duration = GREATEST(items.duration, excluded.duration),
                video = excluded.video, video_version = excluded.video_version, updated_at = excluded.updated_at,
                video_failure = NULL, video_failed_at = NULL
            """, mediaId, kind, durationSeconds, null, features, extractorVersion, cancellationToken);

    public Task RecordKindAsync(string mediaId, MediaKind kind, double durationSeconds, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            INSERT INTO catalogue_items AS items (media_id, kind, kind_known, duration, updated_at)
            SELECT @id, @kind, true, @duration, @now WHERE NOT EXISTS (SELECT 1 FROM media_removals WHERE media_id = @id)
            ON CONFLICT (media_id) DO UPDATE SET
                -- A pair stays a pair: the same bytes ingested again as music or video must not take them out of the training set.
                kind = CASE WHEN items.kind_known AND items.kind = 0 THEN 0 ELSE excluded.kind END, kind_known = true,
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

        // As on SQLite: an item first heard of through a failure takes the failed half as its kind, not marked known;
        // the WHERE keeps a repeated failure from touching updated_at.
        await using var command = _db.CreateCommand($"""
            {ItemLock}
            INSERT INTO catalogue_items AS items (media_id, kind, duration, {half}_failure, {half}_failed_at, updated_at)
            SELECT @id, @kind, 0, @reason, @failedAt, @now WHERE NOT EXISTS (SELECT 1 FROM media_removals WHERE media_id = @id)
            ON CONFLICT (media_id) DO UPDATE SET
                {half}_failure = excluded.{half}_failure, {half}_failed_at = excluded.{half}_failed_at,
                updated_at = excluded.updated_at
            WHERE items.{half}_failure IS DISTINCT FROM excluded.{half}_failure OR items.{half}_failed_at IS DISTINCT FROM excluded.{half}_failed_at
            """);
        command.Parameters.AddWithValue("id", mediaId);
        command.Parameters.AddWithValue("kind", (int)(modality == Modality.Music ? MediaKind.Music : MediaKind.Video));
        command.Parameters.AddWithValue("reason", reason);
        command.Parameters.AddWithValue("failedAt", failedAt.ToUniversalTime());
        command.Parameters.AddWithValue("now", DateTimeOffset.UtcNow);
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

        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        // The item's lock before the transaction: a serializable transaction's snapshot is taken at its first
        // statement, so a lock taken inside it could not make it see a tombstone committed while it waited.
        await using var held = await ItemSessionLock.TakeAsync(connection, mediaId, cancellationToken);

        // Serializable: two items taking the same external id at once must not both keep it (the unique index would
        // refuse the second; the retry of a serialization failure reads the first's move).
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);
        if (metadata.ExternalId is not null)
        {
            await using var release = new NpgsqlCommand(
                "UPDATE catalogue_items SET external_id = NULL WHERE external_id = @external AND media_id <> @id", connection, transaction);
            release.Parameters.AddWithValue("external", metadata.ExternalId);
            release.Parameters.AddWithValue("id", mediaId);
            await release.ExecuteNonQueryAsync(cancellationToken);
        }

        // A row made here (metadata before kind) is not kind_known and has no features: RecordKindAsync and the upserts fill it.
        await using var command = new NpgsqlCommand("""
            INSERT INTO catalogue_items AS items (media_id, kind, duration, updated_at, source, title, artist, album, external_id, labels)
            SELECT @id, 0, 0, @now, @source, @title, @artist, @album, @external, @labels::jsonb WHERE NOT EXISTS (SELECT 1 FROM media_removals WHERE media_id = @id)
            ON CONFLICT (media_id) DO UPDATE SET
                source = COALESCE(excluded.source, items.source), title = COALESCE(excluded.title, items.title),
                artist = COALESCE(excluded.artist, items.artist), album = COALESCE(excluded.album, items.album),
                external_id = COALESCE(excluded.external_id, items.external_id), labels = COALESCE(excluded.labels, items.labels)
            """, connection, transaction);
        command.Parameters.AddWithValue("id", mediaId);
        command.Parameters.AddWithValue("now", DateTimeOffset.UtcNow);
        command.Parameters.Add(Text("source", MediaLabels.CleanTag(metadata.Source, MediaLabels.MaxSourceLength)));
        command.Parameters.Add(Text("title", MediaLabels.CleanTag(metadata.Title)));
        command.Parameters.Add(Text("artist", MediaLabels.CleanTag(metadata.Artist)));
        command.Parameters.Add(Text("album", MediaLabels.CleanTag(metadata.Album)));
        command.Parameters.Add(Text("external", metadata.ExternalId));
        command.Parameters.Add(Text("labels", metadata.Labels is null ? null : JsonSerializer.Serialize(metadata.Labels)));
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<CatalogueItem?> FindByExternalIdAsync(string externalId, CancellationToken cancellationToken)
    {
        await using var command = _db.CreateCommand($"SELECT {Columns} FROM catalogue_items WHERE external_id = @external AND {NotRemoved}");
        command.Parameters.AddWithValue("external", externalId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<CataloguePage> ListPageAsync(CatalogueFilter filter, string? after, int limit, CancellationToken cancellationToken)
    {
        CatalogueRows.CheckListing(filter, limit);

        await using var command = _db.CreateCommand();
        var where = new List<string> { "(@after::text IS NULL OR media_id COLLATE \"C\" > @after)", "(@kind::integer IS NULL OR kind = @kind)", NotRemoved };
        command.Parameters.Add(Text("after", after));
        command.Parameters.Add(new NpgsqlParameter<int?>("kind", NpgsqlDbType.Integer) { TypedValue = (int?)filter.Kind });
        foreach (var (key, value, i) in CatalogueRows.Labels(filter))
        {
            where.Add($"labels ->> @k{i} = @v{i}");
            command.Parameters.AddWithValue($"k{i}", key);
            command.Parameters.AddWithValue($"v{i}", value);
        }

        if (filter.Status is { } status)
        {
            where.Add(CatalogueStatusSql.Condition(status));
        }

        command.CommandText = $"SELECT {Columns} FROM catalogue_items WHERE {string.Join(" AND ", where)} ORDER BY media_id COLLATE \"C\" LIMIT @limit";
        command.Parameters.AddWithValue("limit", limit + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await CatalogueRows.PageAsync(reader, limit, r => Read((NpgsqlDataReader)r), cancellationToken);
    }

    public async Task<CatalogueItem?> GetAsync(string mediaId, CancellationToken cancellationToken)
    {
        await using var command = _db.CreateCommand($"SELECT {Columns} FROM catalogue_items WHERE media_id = @id AND {NotRemoved}");
        command.Parameters.AddWithValue("id", mediaId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async IAsyncEnumerable<CatalogueItem> ListAsync(MediaKind? kind, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Items with no features yet (only their kind recorded) are not catalogue items. COLLATE "C": media-id order
        // is byte order, as on SQLite, whatever the database's locale.
        await using var command = _db.CreateCommand(
            $"SELECT {Columns} FROM catalogue_items WHERE (music IS NOT NULL OR video IS NOT NULL) AND (@kind::integer IS NULL OR kind = @kind) AND {NotRemoved} ORDER BY media_id COLLATE \"C\"");
        command.Parameters.Add(new NpgsqlParameter<int?>("kind", NpgsqlDbType.Integer) { TypedValue = (int?)kind });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return Read(reader);
        }
    }

    public async Task<int> CountAsync(MediaKind? kind, CancellationToken cancellationToken)
    {
        await using var command = _db.CreateCommand(
            $"SELECT COUNT(*) FROM catalogue_items WHERE (music IS NOT NULL OR video IS NOT NULL) AND (@kind::integer IS NULL OR kind = @kind) AND {NotRemoved}");
        command.Parameters.Add(new NpgsqlParameter<int?>("kind", NpgsqlDbType.Integer) { TypedValue = (int?)kind });
        return checked((int)(long)(await command.ExecuteScalarAsync(cancellationToken))!);
    }

    private async Task ExecuteAsync(string sql, string mediaId, MediaKind kind, double duration, double? tempo, float[]? features, string? version, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaId);
        if (features is not null && (features.Length == 0 || features.Any(f => !float.IsFinite(f))))
        {
            throw new ArgumentException($"features of {mediaId} are empty or not finite");
        }

        // The item's lock first (one round trip: the batch is one implicit transaction), then the write in a statement
        // of its own, whose snapshot is taken after the lock and so sees a tombstone written before it.
        await using var command = _db.CreateCommand(ItemLock + sql);
        command.Parameters.AddWithValue("id", mediaId);
        command.Parameters.AddWithValue("kind", (int)kind);
        command.Parameters.AddWithValue("duration", duration);
        command.Parameters.Add(new NpgsqlParameter<double?>("tempo", NpgsqlDbType.Double) { TypedValue = tempo });
        command.Parameters.Add(new NpgsqlParameter("features", NpgsqlDbType.Array | NpgsqlDbType.Real) { Value = features is null ? DBNull.Value : features });
        command.Parameters.Add(new NpgsqlParameter<string?>("version", NpgsqlDbType.Text) { TypedValue = version });
        command.Parameters.AddWithValue("now", DateTimeOffset.UtcNow);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static CatalogueItem Read(NpgsqlDataReader r) => CatalogueRows.Read(r, i => r.GetFieldValue<float[]>(i), i => r.GetFieldValue<DateTimeOffset>(i));

    private static NpgsqlParameter<string?> Text(string name, string? value) => new(name, NpgsqlDbType.Text) { TypedValue = value };

}
