using VmNet.Contracts;
using VmNet.Media;
using VmNet.Testing;

namespace VmNet.VideoFeatures.Tests;

/// <summary>A corrupt frame-cache sidecar is a miss, and a write replaces it (#13 item 13).</summary>
public sealed class CorruptCacheTests
{
    [Fact]
    public async Task A_corrupt_sidecar_is_a_miss_and_a_write_repairs_it()
    {
        using var folder = new TempFolder("video-cache");
        var data = new DataDirectory(folder.Path);
        var cache = new VideoFeatureCache(data);
        var id = new string('b', 32);
        var frames = new FrameFeatures([1f, 2f, 3f, 4f], 2, 2, ColourStatistics.Empty);
        await cache.WriteAsync(id, MediaKind.Video, 1.0, "v-test", frames, TestContext.Current.CancellationToken);
        var sidecar = Directory.EnumerateFiles(data.MediaFolder(id), "*.json").Single();
        await File.WriteAllTextAsync(sidecar, "{\"MediaId\":", TestContext.Current.CancellationToken);

        var miss = await cache.TryReadAsync(id, "v-test", TestContext.Current.CancellationToken);
        await cache.WriteAsync(id, MediaKind.Video, 1.0, "v-test", frames, TestContext.Current.CancellationToken);
        var hit = await cache.TryReadAsync(id, "v-test", TestContext.Current.CancellationToken);

        Assert.Null(miss);
        Assert.NotNull(hit);
        Assert.Equal(frames.Values, hit.Values);
    }
}
