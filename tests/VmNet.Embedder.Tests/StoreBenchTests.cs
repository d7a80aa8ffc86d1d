using VmNet.Bench;
using VmNet.Testing;
using VmNet.Storage;

namespace VmNet.Embedder.Tests;

public sealed class StoreBenchTests
{
    [Fact]
    public async Task AnnAgreesWithExactSearchOnClusteredVectorsAndTheStoreReloads()
    {
        using var folder = new TempFolder("bench");
        var row = await StoreBench.RunAsync(1500, 30, clustered: true, new VectorStoreOptions(), folder.Path, seed: 3, TestContext.Current.CancellationToken);

        Assert.Equal((1500, 512, 30), (row.Vectors, row.Dimension, row.Queries));
        Assert.True(row.RecallAt10 >= 0.98, $"recall@10 {row.RecallAt10}");
        Assert.True(row.InsertsPerSecond > 0 && row.ReloadSeconds > 0 && row.AnnP99Ms >= row.AnnP50Ms);
        Assert.Empty(Directory.EnumerateFiles(folder.Path));
    }
}
