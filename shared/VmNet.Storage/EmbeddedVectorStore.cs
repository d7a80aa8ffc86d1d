using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.Storage;

/// <summary>
/// The embedded default: every generation's vectors in <c>store/vectors.db</c> (SQLite, the durable truth) and in
/// memory as USearch HNSW graphs. A write commits to SQLite before the index sees it, so a crash loses nothing that
/// was acknowledged. On a clean stop of a process that wrote, each graph is saved under <c>store/vectors.graphs/</c> and
/// loaded on the next start (every saved vector checked against the database); after a crash, or when a saved graph
/// does not match, it is rebuilt from SQLite. A process that only read never saves.
/// The live generation is one reference, read once per query.
/// </summary>
public sealed partial class EmbeddedVectorStore : IVectorStore, IDisposable
{
    private readonly string _path;
    private readonly VectorStoreOptions _options;
    private readonly ILogger<EmbeddedVectorStore> _logger;
    private readonly ConcurrentDictionary<string, Generation> _generations = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _metadataGate = new(1, 1);
    private volatile Generation? _live;

    // Set by the first write: only a process that wrote saves graphs on stop. A reader (vmnet models list, a search
    // process beside the embedder) holds what it read at its start; saving that at its exit could put an older graph
    // on disk than the database after a writer that crashed.
    private volatile bool _written;

    public EmbeddedVectorStore(DataDirectory data, IOptions<VectorStoreOptions> options, ILogger<EmbeddedVectorStore> logger)
        : this(Path.Combine(data.Store, "vectors.db"), options.Value, logger)
    {
    }

    public EmbeddedVectorStore(string path, VectorStoreOptions options, ILogger<EmbeddedVectorStore> logger)
    {
        _path = path;
        _options = options;
        _logger = logger;
        Load();
    }

    public string? LiveGeneration => _live?.Name;

    /// <summary>The flip is this instance's own reference: there is nothing further to read.</summary>
    public Task<string?> ReadLiveGenerationAsync(CancellationToken cancellationToken) => Task.FromResult(LiveGeneration);

    public async Task CreateGenerationAsync(string generation, int dimension, CancellationToken cancellationToken)
    {
        ValidateName(generation);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        await _metadataGate.WaitAsync(cancellationToken);
        try
        {
            if (_generations.TryGetValue(generation, out var existing))
            {
                if (existing.Dimension != dimension)
                {
                    throw new InvalidOperationException($"generation {generation} exists with dimension {existing.Dimension}, not {dimension}");
                }

                return;
            }

            var created = DateTimeOffset.UtcNow;
            await using (var connection = Sqlite.Open(_path))
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "INSERT INTO generations (name, dimension, created_at) VALUES ($name, $dimension, $created)";
                command.Parameters.AddWithValue("$name", generation);
                command.Parameters.AddWithValue("$dimension", dimension);
                command.Parameters.AddWithValue("$created", created.ToString("O", CultureInfo.InvariantCulture));
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            _generations[generation] = new Generation(generation, dimension, created, _options);
            LogCreated(generation, dimension);
        }
        finally
        {
            _metadataGate.Release();
        }
    }

    public async Task UpsertAsync(string generation, IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken)
    {
        var target = Find(generation);
        if (records.Count == 0)
        {
            return;
        }

        var normalized = records.Select(r => r with
        {
            MediaId = ValidMediaId(r.MediaId), Vector = VectorMath.Normalized(r.Vector, target.Dimension), Labels = VectorLabels.Valid(r.Labels),
        }).ToList();

        // One writer per generation keeps SQLite and the in-memory graph in the same order.
        await target.WriteGate.WaitAsync(cancellationToken);
        try
        {
            if (!_generations.TryGetValue(generation, out var current) || !ReferenceEquals(current, target))
            {
                throw new KeyNotFoundException($"generation '{generation}' was dropped");
            }

            await using (var connection = Sqlite.Open(_path))
            await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken))
            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = """
                    INSERT INTO vectors (generation, modality, media_id, kind, duration, tempo, vector, labels)
                    VALUES ($generation, $modality, $id, $kind, $duration, $tempo, $vector, $labels)
                    ON CONFLICT (generation, modality, media_id) DO UPDATE SET
                        kind = excluded.kind, duration = excluded.duration, tempo = excluded.tempo, vector = excluded.vector,
                        labels = excluded.labels
                    """;
                var generationParameter = command.Parameters.Add("$generation", SqliteType.Text);
                var modality = command.Parameters.Add("$modality", SqliteType.Integer);
                var id = command.Parameters.Add("$id", SqliteType.Text);
                var kind = command.Parameters.Add("$kind", SqliteType.Integer);
                var duration = command.Parameters.Add("$duration", SqliteType.Real);
                var tempo = command.Parameters.Add("$tempo", SqliteType.Real);
                var vector = command.Parameters.Add("$vector", SqliteType.Blob);
                var labels = command.Parameters.Add("$labels", SqliteType.Text);
                generationParameter.Value = generation;
                foreach (var r in normalized)
                {
                    modality.Value = (int)r.Modality;
                    id.Value = r.MediaId;
                    kind.Value = (int)r.Kind;
                    duration.Value = r.DurationSeconds;
                    tempo.Value = r.TempoBpm is { } t ? t : DBNull.Value;
                    vector.Value = Sqlite.ToBlob(r.Vector);
                    labels.Value = VectorLabels.ToJson(r.Labels) is { } json ? json : DBNull.Value;
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }

            _written = true;
            foreach (var group in normalized.GroupBy(r => r.Modality))
            {
                target.Index(group.Key).Upsert([.. group]);
            }
        }
        finally
        {
            target.WriteGate.Release();
        }
    }

    public async Task ActivateAsync(string generation, CancellationToken cancellationToken)
    {
        var target = Find(generation);
        await _metadataGate.WaitAsync(cancellationToken);
        try
        {
            await using (var connection = Sqlite.Open(_path))
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "INSERT INTO live (id, generation) VALUES (1, $name) ON CONFLICT (id) DO UPDATE SET generation = excluded.generation";
                command.Parameters.AddWithValue("$name", generation);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            var previous = _live?.Name;
            _live = target;
            LogActivated(generation, previous ?? "(none)");
        }
        finally
        {
            _metadataGate.Release();
        }
    }

    public async Task DropGenerationAsync(string generation, CancellationToken cancellationToken)
    {
        ValidateName(generation);
        Generation? dropped;
        await _metadataGate.WaitAsync(cancellationToken);
        try
        {
            if (!_generations.TryGetValue(generation, out dropped))
            {
                return;
            }

            if (ReferenceEquals(dropped, _live))
            {
                throw new InvalidOperationException($"generation {generation} is live: it cannot be dropped");
            }

            // A write in flight to this generation finishes first; none starts after it is gone from the map.
            await dropped.WriteGate.WaitAsync(cancellationToken);
            try
            {
                await using (var connection = Sqlite.Open(_path))
                await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken))
                await using (var command = connection.CreateCommand())
                {
                    command.Transaction = transaction;
                    command.CommandText = "DELETE FROM vectors WHERE generation = $name; DELETE FROM generations WHERE name = $name";
                    command.Parameters.AddWithValue("$name", generation);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }

                _generations.TryRemove(generation, out _);
            }
            finally
            {
                dropped.WriteGate.Release();
            }
        }
        finally
        {
            _metadataGate.Release();
        }

        // Graph files saved by an earlier clean stop would otherwise stay beside the database for ever.
        if (Directory.Exists(GraphFolder(_path)))
        {
            foreach (var modality in Enum.GetValues<Modality>())
            {
                var path = GraphPath(generation, modality);
                File.Delete(path);
                File.Delete(path + ".keys");
            }
        }

        // The memory goes once no query holds the graph (a query that took it before the drop answers from it).
        dropped.Close();
        LogDropped(generation);
    }

    public Task<IReadOnlyList<GenerationInfo>> ListGenerationsAsync(CancellationToken cancellationToken)
    {
        var live = _live;
        IReadOnlyList<GenerationInfo> list = [.. _generations.Values
            .OrderBy(g => g.CreatedAt)
            .Select(g => new GenerationInfo(g.Name, g.Dimension, g.Music.Count, g.Video.Count, ReferenceEquals(g, live), g.CreatedAt))];
        return Task.FromResult(list);
    }

    public Task<float[]?> GetVectorAsync(string generation, Modality modality, string mediaId, CancellationToken cancellationToken) =>
        Task.FromResult(_generations.TryGetValue(generation, out var g) ? g.Index(modality).Get(mediaId) : null);

    public Task<VectorSearchResult> SearchAsync(Modality target, float[] query, int k, SearchFilter? filter, CancellationToken cancellationToken) =>
        Task.FromResult(Search(target, query, k, filter, exact: false));

    public Task<VectorSearchResult> SearchExactAsync(Modality target, float[] query, int k, SearchFilter? filter, CancellationToken cancellationToken) =>
        Task.FromResult(Search(target, query, k, filter, exact: true));

    public void Dispose()
    {
        foreach (var generation in _generations.Values)
        {
            foreach (var modality in Enum.GetValues<Modality>())
            {
                var index = generation.Index(modality);
                if (_written && !index.IsSaved && !index.HoldsRemoved && index.Count > 0)
                {
                    SaveGraph(generation.Name, modality, index);
                }
            }

            generation.Dispose();
        }

        _metadataGate.Dispose();
    }

    internal static void ValidateName(string generation)
    {
        if (string.IsNullOrWhiteSpace(generation) || generation.Length > 128 || generation.Contains("..", StringComparison.Ordinal)
            || generation.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new ArgumentException($"invalid generation name '{generation}' (letters, digits, '-', '_', '.')", nameof(generation));
        }
    }

    private static string ValidMediaId(string mediaId) =>
        string.IsNullOrWhiteSpace(mediaId) || mediaId.Length > 256 ? throw new ArgumentException($"invalid media id '{mediaId}'") : mediaId;

    private VectorSearchResult Search(Modality target, float[] query, int k, SearchFilter? filter, bool exact)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var generation = _live ?? throw new InvalidOperationException("no model generation is live yet: nothing is searchable");
        var unit = VectorMath.Normalized(query, generation.Dimension);
        var index = generation.Index(target);
        var hits = exact ? index.SearchExact(unit, k, filter) : index.Search(unit, k, filter);
        return new VectorSearchResult(generation.Name, hits);
    }

    private string GraphPath(string generation, Modality modality) =>
        Path.Combine(GraphFolder(_path), $"{generation}.{modality.ToString().ToLowerInvariant()}.usearch");

    /// <summary>Where the graphs of the database at <paramref name="databasePath"/> are saved (<c>vectors.graphs/</c> beside <c>vectors.db</c>).</summary>
    public static string GraphFolder(string databasePath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(databasePath))!, Path.GetFileNameWithoutExtension(databasePath) + ".graphs");

    // Only a faster next start is at stake: a failed save is logged, and the next start rebuilds.
    private void SaveGraph(string generation, Modality modality, ModalityIndex index)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var path = GraphPath(generation, modality);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            index.Save(path);
            LogSaved(generation, modality, index.Count, clock.Elapsed.TotalSeconds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogSaveFailed(generation, modality, e.Message);
        }
    }

    private Generation Find(string generation) =>
        _generations.TryGetValue(generation, out var g) ? g : throw new KeyNotFoundException($"no generation '{generation}'; create it first");

    // Databases written before labels travelled with the vectors lack the column; their vectors have no labels
    // until the embedder writes them again (a re-embedding, or the item's next features or ingest).
    private static void AddLabelsColumn(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('vectors') WHERE name = 'labels'";
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            Sqlite.Execute(connection, "ALTER TABLE vectors ADD COLUMN labels TEXT NULL");
        }
    }

    private void Load()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        using var connection = Sqlite.Open(_path);
        Sqlite.Execute(connection, """
            CREATE TABLE IF NOT EXISTS generations (name TEXT PRIMARY KEY, dimension INTEGER NOT NULL, created_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS live (id INTEGER PRIMARY KEY CHECK (id = 1), generation TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS vectors (
                generation TEXT NOT NULL, modality INTEGER NOT NULL, media_id TEXT NOT NULL,
                kind INTEGER NOT NULL, duration REAL NOT NULL, tempo REAL NULL, vector BLOB NOT NULL, labels TEXT NULL,
                PRIMARY KEY (generation, modality, media_id));
            """);
        AddLabelsColumn(connection);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name, dimension, created_at FROM generations";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var name = reader.GetString(0);
                _generations[name] = new Generation(name, reader.GetInt32(1), DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture), _options);
            }
        }

        foreach (var generation in _generations.Values)
        {
            var clock = Stopwatch.StartNew();
            foreach (var modality in Enum.GetValues<Modality>())
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT media_id, kind, duration, tempo, vector, labels FROM vectors WHERE generation = $g AND modality = $m";
                command.Parameters.AddWithValue("$g", generation.Name);
                command.Parameters.AddWithValue("$m", (int)modality);
                using var reader = command.ExecuteReader();
                var batch = new List<VectorRecord>();
                while (reader.Read())
                {
                    batch.Add(new VectorRecord(
                        reader.GetString(0), modality, Sqlite.FromBlob((byte[])reader[4]), (MediaKind)reader.GetInt32(1), reader.GetDouble(2),
                        reader.IsDBNull(3) ? null : reader.GetDouble(3), reader.IsDBNull(5) ? null : VectorLabels.FromJson(reader.GetString(5))));
                }

                var index = generation.Index(modality);
                var why = batch.Count == 0 ? null : index.TryLoad(GraphPath(generation.Name, modality), batch);
                if (why is not null)
                {
                    LogRebuilding(generation.Name, modality, batch.Count, why);
                    index.Upsert(batch);
                }
            }

            LogLoaded(generation.Name, generation.Music.Count, generation.Video.Count, clock.Elapsed.TotalSeconds);
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT generation FROM live WHERE id = 1";
            if (command.ExecuteScalar() is string live)
            {
                _live = _generations.TryGetValue(live, out var g) ? g : throw new InvalidDataException($"{_path}: live generation '{live}' has no entry");
            }
        }
    }

    [LoggerMessage(4107, LogLevel.Information, "Vector generation {Generation} dropped from memory and disk")]
    private partial void LogDropped(string generation);

    [LoggerMessage(4101, LogLevel.Information, "Vector generation {Generation} created (dimension {Dimension})")]
    private partial void LogCreated(string generation, int dimension);

    [LoggerMessage(4102, LogLevel.Information, "Vector generation {Generation} is live (was {Previous})")]
    private partial void LogActivated(string generation, string previous);

    [LoggerMessage(4103, LogLevel.Information, "Vector generation {Generation} reloaded: {Music} music, {Video} video vectors in {Seconds:0.0} s")]
    private partial void LogLoaded(string generation, int music, int video, double seconds);

    [LoggerMessage(4104, LogLevel.Information, "Vector generation {Generation} {Modality}: rebuilding the graph of {Count} vectors ({Reason})")]
    private partial void LogRebuilding(string generation, Modality modality, int count, string reason);

    [LoggerMessage(4105, LogLevel.Information, "Vector generation {Generation} {Modality}: graph of {Count} vectors saved in {Seconds:0.0} s")]
    private partial void LogSaved(string generation, Modality modality, int count, double seconds);

    [LoggerMessage(4106, LogLevel.Warning, "Vector generation {Generation} {Modality}: graph not saved ({Reason}); the next start rebuilds it")]
    private partial void LogSaveFailed(string generation, Modality modality, string reason);

    private sealed class Generation(string name, int dimension, DateTimeOffset createdAt, VectorStoreOptions options) : IDisposable
    {
        public string Name => name;

        public int Dimension => dimension;

        public DateTimeOffset CreatedAt => createdAt;

        public SemaphoreSlim WriteGate { get; } = new(1, 1);

        public ModalityIndex Music { get; } = new(dimension, options);

        public ModalityIndex Video { get; } = new(dimension, options);

        public ModalityIndex Index(Modality modality) => modality == Modality.Music ? Music : Video;

        /// <summary>Frees both graphs of a dropped generation; reads of it answer nothing from then on.</summary>
        public void Close()
        {
            Music.Close();
            Video.Close();
        }

        public void Dispose()
        {
            Music.Dispose();
            Video.Dispose();
            WriteGate.Dispose();
        }
    }
}
