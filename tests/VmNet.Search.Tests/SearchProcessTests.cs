using System.Text.Json;
using VmNet.Contracts;
using VmNet.Testing;

namespace VmNet.Search.Tests;

/// <summary>A separate client process (the real <c>vmnet search</c>) queries the server over real HTTP/2.</summary>
public sealed class SearchProcessTests(SearchServerFixture fixture) : IClassFixture<SearchServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Vmnet_search_by_id_prints_the_servers_answer_as_json()
    {
        var server = fixture.Server;
        var video = server.World.First(MediaKind.Pair);
        using var client = server.Client();
        var inProcess = await client.FindMusicForVideoIdAsync(video.MediaId, new V1.QueryOptions { TopK = 3 }, TestContext.Current.CancellationToken);

        var (exitCode, output) = await VmnetProcess.RunAsync(
            ["search", "--id", video.MediaId, "--top", "3", "--server", server.GrpcAddress.ToString(), "--json"], Timeout);

        Assert.True(exitCode == 0, output);
        using var json = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        Assert.Equal("v1", json.RootElement.GetProperty("modelVersion").GetString());
        Assert.Equal(
            inProcess.Matches.Select(m => m.MediaId),
            json.RootElement.GetProperty("matches").EnumerateArray().Select(m => m.GetProperty("mediaId").GetString()));
    }

    [Fact]
    public async Task Vmnet_search_similar_by_external_id_with_a_label_prints_the_servers_answer()
    {
        var server = fixture.Server;
        var index = server.World.Items.ToList().FindIndex(i => i.Kind == MediaKind.Music);
        var track = server.World.Items[index];
        using var client = server.Client();
        var options = new V1.QueryOptions { TopK = 3, Filter = new V1.Filter { Labels = { "mood=calm" } } };
        var inProcess = await client.FindSimilarAsync(track.MediaId, V1.Modality.Unspecified, options, TestContext.Current.CancellationToken);

        var (exitCode, output) = await VmnetProcess.RunAsync(
            ["search", "--external-id", $"ext-{index}", "--label", "mood=calm", "--top", "3", "--server", server.GrpcAddress.ToString(), "--json"], Timeout);

        Assert.True(exitCode == 0, output);
        using var json = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        Assert.NotEmpty(inProcess.Matches);
        Assert.Equal(
            inProcess.Matches.Select(m => m.MediaId),
            json.RootElement.GetProperty("matches").EnumerateArray().Select(m => m.GetProperty("mediaId").GetString()));
        Assert.DoesNotContain(track.MediaId, output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mood")]
    [InlineData("Mood=calm")]
    public async Task Vmnet_search_refuses_a_bad_label_in_one_line_before_any_connection(string label)
    {
        // The server address is a closed port: a usage error must come before any attempt to reach it.
        var (exitCode, output) = await VmnetProcess.RunAsync(
            ["search", "--similar", new string('a', 32), "--label", label, "--server", "http://127.0.0.1:1"], Timeout);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("vmnet: label", output.Trim(), StringComparison.Ordinal);
        Assert.Single(output.Trim().Split('\n'));
    }

    [Fact]
    public async Task Vmnet_search_reports_a_refused_request_in_one_line_with_a_failure_exit_code()
    {
        var (exitCode, output) = await VmnetProcess.RunAsync(
            ["search", "--id", new string('a', 32), "--server", fixture.Server.GrpcAddress.ToString(), "--json"], Timeout);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("vmnet: the server refused the request: NotFound: ", output.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.Single(output.Trim().Split('\n'));
    }
}
