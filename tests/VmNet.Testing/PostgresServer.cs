using Npgsql;
using Xunit;

namespace VmNet.Testing;

/// <summary>
/// The real PostgreSQL that the test command starts (<c>scripts/with-postgres.sh</c>, called by
/// <c>scripts/test.sh</c>, exports <c>VMNET_TEST_POSTGRES</c>). Outside CI a missing server skips the test with a
/// reason; in CI (CI=true) it fails.
/// </summary>
public static class PostgresServer
{
    public const string Variable = "VMNET_TEST_POSTGRES";

    public static string RequireConnectionString()
    {
        var connection = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(connection))
        {
            return connection;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"{Variable} is not set: CI must run the tests through scripts/test.sh, which starts PostgreSQL");
        }

        Assert.Skip($"{Variable} is not set; run scripts/test.sh (or scripts/with-postgres.sh) to start PostgreSQL for this test");
        return string.Empty;
    }

    /// <summary>
    /// A fresh database on the test server, so tests running at the same time never share tables. Returns its
    /// connection string.
    /// </summary>
    public static async Task<string> NewDatabaseAsync(string prefix)
    {
        var server = new NpgsqlConnectionStringBuilder(RequireConnectionString());
        var name = $"{prefix}_{Guid.NewGuid():N}".ToLowerInvariant()[..Math.Min(prefix.Length + 17, 60)];
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        server.Database = name;
        return server.ConnectionString;
    }

    /// <summary>Runs one statement on the database of <paramref name="connectionString"/> (a test's own look at the tables).</summary>
    public static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
