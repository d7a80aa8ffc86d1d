using System.Text;
using System.Text.Json;
using VmNet.Media;
using VmNet.Testing;

namespace VmNet.Ingest.Tests;

/// <summary>
/// What a script sees of <c>vmnet</c>: stdout carries only the result (one JSON document with --json), logs and
/// progress go to stderr, and a user's mistake is one line <c>vmnet: ...</c> with exit code 2 (usage) or 1 (failure).
/// The real binary runs, with stdout and stderr read apart.
/// </summary>
public sealed class CommandLineStreamsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Ingest_json_writes_one_parseable_document_on_stdout_and_its_logs_on_stderr()
    {
        using var folder = new TempFolder("cli-streams");
        var clip = await TestMedia.MusicVideoAsync(Path.Combine(folder.Path, "clip.mp4"), seconds: 2);

        var (exit, stdout, stderr) = await RunAsync(folder.Path, "ingest", "clip.mp4", "--json", "--data", Path.Combine(folder.Path, "data"));

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var item = json.RootElement.EnumerateArray().Single();
        Assert.Equal("ingested", item.GetProperty("status").GetString());
        Assert.Equal(await MediaId.OfFileAsync(clip, CancellationToken.None), item.GetProperty("mediaId").GetString());
        Assert.Single(stdout.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData(1, "vmnet: no such file: missing.ogg", "features", "audio", "missing.ogg")]
    [InlineData(1, "vmnet: no such file: missing.ogg", "bench", "audio", "missing.ogg")]
    [InlineData(1, "vmnet: no such file: missing.mp4", "features", "video", "missing.mp4")]
    [InlineData(2, "vmnet: Argument 'bogus' not recognized.", "ingest", "x.mp4", "--kind", "bogus")]
    [InlineData(2, "vmnet: Unrecognized option '--no-such-option'", "ingest", "x.mp4", "--no-such-option")]
    [InlineData(2, "vmnet: Unrecognized command or argument '--no-such-option'", "features", "audio", "x.ogg", "--no-such-option")]
    [InlineData(2, "vmnet: --republish needs the RabbitMQ bus", "features", "fit-video-pca", "--republish")]
    [InlineData(2, "vmnet: give a source to ingest, or --from LIST", "ingest")]
    [InlineData(2, "vmnet: --from reads sources, external ids and labels from the list", "ingest", "--from", "list.csv", "x.mp4")]
    [InlineData(2, "vmnet: --from reads sources, external ids and labels from the list", "ingest", "--from", "list.csv", "--label", "mood=calm")]
    [InlineData(2, "vmnet: --concurrency and --rate apply to --from LIST", "ingest", "x.mp4", "--rate", "2")]
    [InlineData(2, "vmnet: --concurrency must be 1 to 1024", "ingest", "--from", "list.csv", "--concurrency", "0")]
    [InlineData(2, "vmnet: --rate must be more than 0", "ingest", "--from", "list.csv", "--rate", "0")]
    [InlineData(1, "vmnet: no such file: list.csv", "ingest", "--from", "list.csv")]
    public async Task A_mistake_is_one_line_on_stderr_and_an_exit_code(int expectedExit, string start, params string[] args)
    {
        using var folder = new TempFolder("cli-mistake");

        var (exit, stdout, stderr) = await RunAsync(folder.Path, [.. args, "--data", Path.Combine(folder.Path, "data")]);

        Assert.Equal(expectedExit, exit);
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.StartsWith(start, line, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string workingDirectory, params string[] args)
    {
        var result = await ProcessRunner.RunAsync(
            "dotnet", [VmnetProcess.HostDll, .. args], Timeout, CancellationToken.None, captureStdout: true, workingDirectory: workingDirectory);
        return (result.ExitCode, Encoding.UTF8.GetString(result.StandardOutput), result.StandardError);
    }
}
