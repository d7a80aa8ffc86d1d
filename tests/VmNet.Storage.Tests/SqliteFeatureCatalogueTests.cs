using Microsoft.Data.Sqlite;
using VmNet.Catalogue;
using VmNet.Media;
using VmNet.Testing;

namespace VmNet.Storage.Tests;

/// <summary>The catalogue contract on SQLite: one file under the data dir's store folder.</summary>
public sealed class SqliteFeatureCatalogueTests : FeatureCatalogueContract, IDisposable
{
    private readonly TempFolder _folder = new("catalogue-sqlite");

    protected override Task<IFeatureCatalogue> OpenAsync() =>
        Task.FromResult<IFeatureCatalogue>(new SqliteFeatureCatalogue(new DataDirectory(_folder.Path)));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
