namespace VmNet.Storage;

public enum CatalogueKind
{
    /// <summary>SQLite files under the data dir's store folder: the embedded default, one machine.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server every role reaches: the distributed layout, roles on any machine.</summary>
    Postgres,
}

/// <summary>
/// The <c>Catalogue</c> configuration section (env: <c>Catalogue__Kind</c>, <c>Catalogue__Postgres__ConnectionString</c>,
/// <c>Catalogue__Postgres__PasswordFile</c>): where raw features, per-item state and the roles' ledgers live.
/// </summary>
public sealed class CatalogueOptions
{
    public const string Section = "Catalogue";

    public CatalogueKind Kind { get; set; } = CatalogueKind.Sqlite;

    public PostgresOptions Postgres { get; set; } = new();
}

public sealed class PostgresOptions
{
    /// <summary>An Npgsql connection string, e.g. <c>Host=postgres;Username=vmnet;Database=vmnet</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// A file holding the password alone (a container secret); it wins over a password in the connection string, so
    /// the string can sit in plain configuration.
    /// </summary>
    public string? PasswordFile { get; set; }
}
