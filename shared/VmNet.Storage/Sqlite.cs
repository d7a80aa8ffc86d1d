using Microsoft.Data.Sqlite;

namespace VmNet.Storage;

/// <summary>Connections to the store's SQLite files: WAL (readers never block the writer) and synchronous=FULL (a committed write survives power loss).</summary>
internal static class Sqlite
{
    public static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;");
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    public static byte[] ToBlob(float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static float[] FromBlob(byte[] blob) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(blob).ToArray();
}
