using VmNet.Catalogue;
using VmNet.Storage;
using VmNet.Testing;

namespace VmNet.Embedder.Tests;

/// <summary>The metadata and look-up contract on the PostgreSQL catalogue (a database of its own per test).</summary>
public sealed class PostgresCatalogueMetadataContract : CatalogueMetadataContract
{
    private readonly List<PostgresDatabase> _opened = [];
    private string? _connectionString;

    protected override async Task<IFeatureCatalogue> OpenAsync()
    {
        _connectionString ??= await PostgresServer.NewDatabaseAsync("metadata");
        var database = PostgresDatabase.Create(new PostgresOptions { ConnectionString = _connectionString });
        _opened.Add(database);
        return new PostgresFeatureCatalogue(database);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }
    }
}
