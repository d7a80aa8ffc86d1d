using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Testing;

namespace VmNet.Ingest.Tests;

/// <summary>
/// A file the operator named on the command line of the embedded default may be anywhere; a message on the bus still
/// may only name files inside Ingest:MediaRoots, and a grant for one file opens no other.
/// </summary>
public sealed class OperatorFilesTests
{
    [Fact]
    public async Task A_granted_file_outside_the_roots_is_ingested()
    {
        await using var ingest = await IngestHarness.StartAsync();
        using var outside = new TempFolder("operator");
        var clip = await TestMedia.MusicVideoAsync(outside.File("clip.mp4"), seconds: 1);

        Assert.True(ingest.Services.GetRequiredService<OperatorFiles>().Grant(clip));
        var ingested = Assert.IsType<MediaIngested>(await ingest.IngestAsync(clip, MediaKind.Pair));

        Assert.Equal(await MediaId.OfFileAsync(clip, CancellationToken.None), ingested.MediaId);
    }

    [Fact]
    public async Task A_forged_message_for_another_file_beside_a_granted_one_is_refused_and_says_how_to_allow_a_folder()
    {
        await using var ingest = await IngestHarness.StartAsync();
        using var outside = new TempFolder("operator");
        var granted = await TestMedia.MusicVideoAsync(outside.File("granted.mp4"), seconds: 1);
        var other = await TestMedia.MusicVideoAsync(outside.File("other.mp4"), seconds: 1, frequency: 660);
        Directory.CreateDirectory(outside.File("sub"));
        File.CreateSymbolicLink(outside.File("link.mp4"), other);
        ingest.Services.GetRequiredService<OperatorFiles>().Grant(granted);

        // The other file by name, through "..", through a link, and the granted file's folder.
        foreach (var source in new[] { other, Path.Combine(outside.Path, "sub", "..", "other.mp4"), outside.File("link.mp4"), outside.Path })
        {
            var failed = Assert.IsType<IngestFailed>(await ingest.IngestAsync(source, MediaKind.Pair));
            Assert.Contains("outside the allowed media roots", failed.Reason, StringComparison.Ordinal);
            Assert.Contains("add it to Ingest:MediaRoots", failed.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_grant_follows_the_file_not_a_name_swapped_for_a_link_afterwards()
    {
        await using var ingest = await IngestHarness.StartAsync();
        using var outside = new TempFolder("operator");
        var granted = await TestMedia.MusicVideoAsync(outside.File("granted.mp4"), seconds: 1);
        var secret = await TestMedia.MusicVideoAsync(outside.File("secret.mp4"), seconds: 1, frequency: 660);
        ingest.Services.GetRequiredService<OperatorFiles>().Grant(granted);

        // After the grant, the granted name is replaced by a link to another file.
        File.Delete(granted);
        File.CreateSymbolicLink(granted, secret);

        Assert.IsType<IngestFailed>(await ingest.IngestAsync(granted, MediaKind.Pair));
    }

    [Fact]
    public async Task Nothing_can_be_granted_that_is_not_an_existing_file()
    {
        await using var ingest = await IngestHarness.StartAsync();
        using var outside = new TempFolder("operator");
        var grants = ingest.Services.GetRequiredService<OperatorFiles>();

        Assert.False(grants.Grant(outside.Path));
        Assert.False(grants.Grant(outside.File("missing.mp4")));
        Assert.False(grants.Grant("bad\0name"));
        Assert.False(grants.Allows(outside.Path, out _));
    }

    [Fact]
    public async Task Vmnet_ingest_reads_a_named_file_outside_the_working_directory()
    {
        using var outside = new TempFolder("operator-cli");
        using var work = new TempFolder("operator-cwd");
        var clip = await TestMedia.MusicVideoAsync(outside.File("clip.mp4"), seconds: 2);

        var result = await ProcessRunner.RunAsync(
            "dotnet", [VmnetProcess.HostDll, "ingest", clip, "--json", "--external-id", "op-1", "--label", "mood=calm", "--data", work.File("data")],
            TimeSpan.FromMinutes(3), CancellationToken.None, captureStdout: true, workingDirectory: work.Path);

        var stderr = result.StandardError;
        Assert.True(result.ExitCode == 0, stderr);
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(result.StandardOutput));
        var item = json.RootElement.EnumerateArray().Single();
        Assert.Equal("ingested", item.GetProperty("status").GetString());
        Assert.Equal("op-1", item.GetProperty("metadata").GetProperty("externalId").GetString());
        Assert.Equal("calm", item.GetProperty("metadata").GetProperty("labels").GetProperty("mood").GetString());
        Assert.Equal("clip.mp4", item.GetProperty("metadata").GetProperty("source").GetString());
    }
}

/// <summary>The CLI's own checks of what the operator says about an item: one line and exit code 2.</summary>
public sealed class IngestMetadataCommandLineTests
{
    [Theory]
    [InlineData("vmnet: label 'mood' is not key=value", "x.mp4", "--label", "mood")]
    [InlineData("vmnet: label key 'Mood' must be", "x.mp4", "--label", "Mood=calm")]
    [InlineData("vmnet: external id 'a b' must be", "x.mp4", "--external-id", "a b")]
    [InlineData("vmnet: --external-id names one item", "x.mp4", "y.mp4", "--external-id", "e1")]
    public async Task A_bad_external_id_or_label_is_one_line_and_exit_code_2(string start, params string[] args)
    {
        using var folder = new TempFolder("cli-labels");

        var result = await ProcessRunner.RunAsync(
            "dotnet", [VmnetProcess.HostDll, "ingest", .. args, "--data", folder.File("data")],
            TimeSpan.FromMinutes(3), CancellationToken.None, captureStdout: true, workingDirectory: folder.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.StandardOutput);
        var line = Assert.Single(result.StandardError.TrimEnd().Split('\n'));
        Assert.StartsWith(start, line, StringComparison.Ordinal);
    }
}
