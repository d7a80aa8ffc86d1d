namespace VmNet.Ingest.Tests;

/// <summary>What a crash left in the data directory is removed when a process starts; recent files are not (#13 item 7).</summary>
public sealed class TempSweepTests
{
    [Fact]
    public async Task Stale_temp_and_partial_files_are_removed_at_start_and_fresh_ones_and_parts_stay()
    {
        using var data = new VmNet.Testing.TempFolder("sweep");
        var tmp = Directory.CreateDirectory(Path.Combine(data.Path, "tmp")).FullName;
        var media = Directory.CreateDirectory(Path.Combine(data.Path, "media", new string('a', 64))).FullName;
        using var outside = new VmNet.Testing.TempFolder("sweep-outside");
        var target = outside.File("keep.bin");
        await File.WriteAllTextAsync(target, "outside", TestContext.Current.CancellationToken);
        var old = DateTime.UtcNow.AddDays(-2);
        string[] stale =
        [
            Old(Path.Combine(tmp, "0123.download"), old),
            Old(Path.Combine(tmp, "clip-1.upload"), old),
            Old(Path.Combine(Directory.CreateDirectory(Path.Combine(tmp, "dl-1")).FullName, "media.mp4"), old),
            Old(Path.Combine(media, "audio.wav.0f.partial"), old),
        ];
        var link = Path.Combine(tmp, "link.local");
        File.CreateSymbolicLink(link, target);
        var fresh = Old(Path.Combine(tmp, "running.download"), DateTime.UtcNow);
        var part = Old(Path.Combine(media, "audio.wav"), old);

        await using (await IngestHarness.StartAsync(new Dictionary<string, string?> { ["Storage:DataDir"] = data.Path }))
        {
        }

        Assert.All(stale, f => Assert.False(File.Exists(f), $"{f} was left"));
        Assert.True(File.Exists(target), "the sweep followed a link out of the data directory");
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(part));
    }

    private static string Old(string path, DateTime time)
    {
        File.WriteAllText(path, "x");
        File.SetLastWriteTimeUtc(path, time);
        return path;
    }
}
