using System.Text.Json;
using VmNet.Cli;
using VmNet.Testing;

namespace VmNet.Corpus.Tests;

/// <summary><c>vmnet corpus generate</c> through the <c>vmnet</c> command tree.</summary>
public sealed class CorpusCliTests
{
    [Fact]
    public async Task Generate_prints_a_json_summary_and_reuses_the_corpus_the_second_time()
    {
        using var folder = new TempFolder("corpus-cli");
        string[] args = ["corpus", "generate", "--out", folder.Path, "--pairs", "2", "--seconds", "1", "--music-only", "1", "--video-only", "0", "--seed", "5", "--json"];

        var (code, output, error) = await InvokeAsync(args);
        Assert.True(code == 0, error);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.Equal(3, json.RootElement.GetProperty("files").GetInt32());
            Assert.Equal(3, json.RootElement.GetProperty("rendered").GetInt32());
            Assert.False(json.RootElement.GetProperty("reused").GetBoolean());
            Assert.True(json.RootElement.GetProperty("bytes").GetInt64() > 0);
        }

        var manifest = CorpusManifest.Load(folder.Path);
        Assert.Equal(new CorpusRecipe(2, 1, 0, 1, 5, 224, 224, 10, 22_050), manifest.Recipe);

        (code, output, error) = await InvokeAsync(args);
        Assert.True(code == 0, error);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.True(json.RootElement.GetProperty("reused").GetBoolean());
            Assert.Equal(0, json.RootElement.GetProperty("rendered").GetInt32());
        }
    }

    [Theory]
    [InlineData("--pairs", "0", "pairs must be at least 1")]
    [InlineData("--seconds", "0", "seconds must be greater than 0")]
    [InlineData("--music-only", "-1", "music-only count must not be negative")]
    [InlineData("--style", "jazz", "Must be one of")]
    public async Task Bad_options_fail_with_a_message(string option, string value, string message)
    {
        using var folder = new TempFolder("corpus-cli-bad");
        var (code, _, error) = await InvokeAsync(["corpus", "generate", "--out", folder.Path, option, value]);
        Assert.NotEqual(0, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Out_is_required()
    {
        var (code, _, error) = await InvokeAsync(["corpus", "generate", "--pairs", "1"]);
        Assert.NotEqual(0, code);
        Assert.Contains("--out", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> InvokeAsync(string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await CommandRunner.RunAsync(VmNetCommands.Build(), args, output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
