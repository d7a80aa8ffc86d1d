using Npgsql;
using VmNet.Catalogue;
using VmNet.Testing;

namespace VmNet.Storage.Tests;

/// <summary>
/// The catalogue contract on PostgreSQL: a database of its own on the server the test command starts; every
/// <see cref="OpenAsync"/> is a new pool, as another process would have.
/// </summary>
public sealed class PostgresFeatureCatalogueTests : FeatureCatalogueContract, IAsyncLifetime
{
    private readonly List<PostgresDatabase> _opened = [];
    private string _connectionString = string.Empty;

    public async ValueTask InitializeAsync() => _connectionString = await PostgresServer.NewDatabaseAsync("catalogue");

    protected override Task<IFeatureCatalogue> OpenAsync() => Task.FromResult<IFeatureCatalogue>(Open(_connectionString));

    [Fact]
    public async Task ACatalogueTableWithoutTheFailureColumnsIsMigratedInPlace()
    {
        var connectionString = await PostgresServer.NewDatabaseAsync("migration");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(Ct);
            // The table as its first PostgreSQL release created it.
            await using var command = new NpgsqlCommand("""
                CREATE TABLE catalogue_items (
                    media_id text PRIMARY KEY, kind integer NOT NULL, kind_known boolean NOT NULL DEFAULT false,
                    duration double precision NOT NULL, tempo double precision NULL,
                    music real[] NULL, music_version text NULL, video real[] NULL, video_version text NULL,
                    updated_at timestamptz NOT NULL);
                INSERT INTO catalogue_items (media_id, kind, kind_known, duration, tempo, music, music_version, updated_at)
                VALUES ('old', 0, true, 30, 120, '{1.5,2.5}', 'old-audio', '2024-01-01T00:00:00Z');
                """, connection);
            await command.ExecuteNonQueryAsync(Ct);
        }

        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Open(connectionString), Ct)));

        var old = await opened[0].GetAsync("old", Ct);
        Assert.Equal((Contracts.MediaKind.Pair, "old-audio", (ExtractionFailure?)null), (old!.Kind, old.MusicExtractorVersion!, old.VideoFailure));
        Assert.Equal([1.5f, 2.5f], old.MusicFeatures!);
        var failedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await opened[1].RecordFailureAsync("old", Contracts.Modality.Video, "gone", failedAt, Ct);
        Assert.Equal(new ExtractionFailure("gone", failedAt), (await opened[2].GetAsync("old", Ct))!.VideoFailure);
    }

    [Fact]
    public async Task ThePasswordFileWinsOverTheConnectionString()
    {
        var connectionString = await PostgresServer.NewDatabaseAsync("password");
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        using var folder = new TempFolder("pgpass");
        var file = Path.Combine(folder.Path, "password");
        await File.WriteAllTextAsync(file, builder.Password + "\n", Ct);
        builder.Password = "wrong";

        await using var right = PostgresDatabase.Create(new PostgresOptions { ConnectionString = builder.ConnectionString, PasswordFile = file });
        Assert.Equal(0, await new PostgresFeatureCatalogue(right).CountAsync(null, Ct));

        await using var wrong = PostgresDatabase.Create(new PostgresOptions { ConnectionString = builder.ConnectionString });
        await Assert.ThrowsAsync<PostgresException>(() => Task.Run(() => new PostgresFeatureCatalogue(wrong), Ct));
    }

    [Fact]
    public void AMissingOrMalformedConnectionStringIsOneLineWithoutTheString()
    {
        var missing = Assert.Throws<InvalidOperationException>(() => PostgresDatabase.Create(new PostgresOptions()));
        Assert.Contains("ConnectionString is not set", missing.Message, StringComparison.Ordinal);
        var malformed = Assert.Throws<InvalidOperationException>(() => PostgresDatabase.Create(new PostgresOptions { ConnectionString = "Password=secret;Nonsense=1" }));
        Assert.DoesNotContain("secret", malformed.Message, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }

    }

    private PostgresFeatureCatalogue Open(string connectionString)
    {
        var database = PostgresDatabase.Create(new PostgresOptions { ConnectionString = connectionString });
        lock (_opened)
        {
            _opened.Add(database);
        }

        return new PostgresFeatureCatalogue(database);
    }
}
