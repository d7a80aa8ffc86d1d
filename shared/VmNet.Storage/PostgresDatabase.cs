using Npgsql;

namespace VmNet.Storage;

/// <summary>
/// One pooled <see cref="NpgsqlDataSource"/> per process for every PostgreSQL store (catalogue, ledgers), and the
/// schema step each store runs at start.
/// </summary>
public sealed class PostgresDatabase : IDisposable, IAsyncDisposable
{
    private PostgresDatabase(NpgsqlDataSource dataSource)
    {
        DataSource = dataSource;
    }

    public NpgsqlDataSource DataSource { get; }

    public static PostgresDatabase Create(PostgresOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException("Catalogue:Kind is Postgres but Catalogue:Postgres:ConnectionString is not set");
        }

        NpgsqlConnectionStringBuilder connection;
        try
        {
            connection = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (ArgumentException e)
        {
            // The message of a malformed string must not echo it: it may hold a password.
            throw new InvalidOperationException($"Catalogue:Postgres:ConnectionString is not a valid connection string ({e.GetType().Name})");
        }

        if (!string.IsNullOrWhiteSpace(options.PasswordFile))
        {
            connection.Password = File.ReadAllText(options.PasswordFile).TrimEnd('\r', '\n');
        }

        return new PostgresDatabase(new NpgsqlDataSourceBuilder(connection.ConnectionString).Build());
    }

    /// <summary>
    /// Runs <paramref name="schemaSql"/> (idempotent DDL: CREATE ... IF NOT EXISTS, ADD COLUMN IF NOT EXISTS) in one
    /// transaction under a transaction-scoped advisory lock named after <paramref name="store"/>. Processes starting at
    /// once would otherwise race: two concurrent CREATE TABLE IF NOT EXISTS can both pass the check and one then fails
    /// on the catalogue's unique index.
    /// </summary>
    public void EnsureSchema(string store, string schemaSql)
    {
        using var connection = DataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction))
        {
            command.Parameters.AddWithValue("vmnet-schema:" + store);
            command.ExecuteNonQuery();
        }

        using (var command = new NpgsqlCommand(schemaSql, connection, transaction))
        {
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public void Dispose() => DataSource.Dispose();

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
