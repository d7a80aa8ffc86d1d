using VmNet.Cli.Bulk;
using VmNet.Contracts;

namespace VmNet.Ingest.Tests;

/// <summary>The bulk list format: plain lines and CSV (RFC 4180 fields on one line), every bad line reported by number.</summary>
public sealed class BulkListTests
{
    private const string Base = "/lists";

    [Fact]
    public async Task Plain_lines_are_sources_and_blank_lines_and_comments_are_skipped()
    {
        var lines = await ReadAsync("dQw4w9WgXcQ\n\n# a comment\n  # an indented comment\nhttps://example.org/a.mp4\r\nclips/b.mp4\n./dQw4w9WgXcQ\n");

        Assert.Equal([1, 5, 6, 7], lines.Select(l => l.Number));
        Assert.All(lines, l => Assert.Null(l.Error));
        Assert.Equal(["dQw4w9WgXcQ", "https://example.org/a.mp4", "/lists/clips/b.mp4", "/lists/dQw4w9WgXcQ"], lines.Select(l => l.Item!.Source));
    }

    [Fact]
    public async Task Csv_columns_are_source_external_id_and_labels_with_quotes_as_rfc_4180()
    {
        var lines = await ReadAsync(
            "/m/a.mp4,shop:1,mood=calm;genre=rock\n" +
            "\"/m/with, comma.mp4\",\"x\"\n" +
            "\"/m/say \"\"hi\"\".mp4\",,licence=cc-by/4.0\n" +
            "/m/b.mp4, shop:2 , mood = dark ; \n");

        Assert.All(lines, l => Assert.Null(l.Error));
        Assert.Equal(new BulkItem("/m/a.mp4", "shop:1", null) with { Labels = lines[0].Item!.Labels }, lines[0].Item);
        Assert.Equal("calm", lines[0].Item!.Labels!["mood"]);
        Assert.Equal("rock", lines[0].Item!.Labels!["genre"]);
        Assert.Equal(("/m/with, comma.mp4", "x"), (lines[1].Item!.Source, lines[1].Item!.ExternalId));
        Assert.Equal("/m/say \"hi\".mp4", lines[2].Item!.Source);
        Assert.Null(lines[2].Item!.ExternalId);
        Assert.Equal("cc-by/4.0", lines[2].Item!.Labels!["licence"]);
        Assert.Equal("shop:2", lines[3].Item!.ExternalId);
        Assert.Equal("dark", Assert.Single(lines[3].Item!.Labels!).Value);
    }

    [Fact]
    public async Task A_header_row_names_the_columns_in_any_order()
    {
        var lines = await ReadAsync("# list of the shop\nLabels,Source\nmood=calm,/m/a.mp4\n,/m/b.mp4\n");

        Assert.Equal([3, 4], lines.Select(l => l.Number));
        Assert.Equal("/m/a.mp4", lines[0].Item!.Source);
        Assert.Equal("calm", lines[0].Item!.Labels!["mood"]);
        Assert.Null(lines[1].Item!.Labels);
    }

    [Theory]
    [InlineData("\"/m/a.mp4,x", "unterminated quote")]
    [InlineData("\"/m/a.mp4\"x,y", "text after a closing quote at column 11")]
    [InlineData("/m/a\"b.mp4", "a quote inside an unquoted field at column 5")]
    [InlineData("/m/a.mp4,x,mood=calm,extra", "4 fields, at most 3 (source,external_id,labels)")]
    [InlineData(",x", "no source")]
    [InlineData("/m/a.mp4,x,Mood=calm", "label key 'Mood' must be")]
    [InlineData("/m/a.mp4,x,mood", "label 'mood' is not key=value")]
    [InlineData("/m/a.mp4,x,mood=", "label mood: value '' must be")]
    [InlineData("/m/a.mp4,-x", "external id '-x' must be")]
    [InlineData("ftp://example.org/a.mp4", "unknown source form 'ftp://…'")]
    [InlineData("s3://bucket/a.mp4", "unknown source form 's3://…'")]
    [InlineData("/m/a\u0007.mp4", "source contains control characters")]
    public async Task A_bad_line_is_reported_with_its_number_and_the_next_line_still_reads(string bad, string reason)
    {
        var lines = await ReadAsync($"/m/first.mp4\n{bad}\n/m/next.mp4\n");

        Assert.Equal([1, 2, 3], lines.Select(l => l.Number));
        Assert.Null(lines[1].Item);
        Assert.StartsWith(reason, lines[1].Error, StringComparison.Ordinal);
        Assert.Equal("/m/next.mp4", lines[2].Item!.Source);
    }

    [Fact]
    public async Task An_overlong_line_is_reported_not_kept_and_counting_goes_on()
    {
        var huge = new string('a', 3 * BulkList.MaxLineLength);
        var exact = "/" + new string('b', BulkList.MaxLineLength - 1);

        var lines = await ReadAsync($"/m/first.mp4\n{huge}\n{exact}\r\n/m/last.mp4");

        Assert.Equal([1, 2, 3, 4], lines.Select(l => l.Number));
        Assert.Equal($"line longer than {BulkList.MaxLineLength} characters", lines[1].Error);
        Assert.Equal(exact, lines[2].Item!.Source);
        Assert.Equal("/m/last.mp4", lines[3].Item!.Source);
    }

    [Fact]
    public void A_request_key_depends_on_what_is_sent_not_on_label_order()
    {
        var a = new BulkItem("/m/a.mp4", "x", System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("a", "1").Add("b", "2"));
        var b = a with { Labels = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("b", "2").Add("a", "1") };

        Assert.Equal(a.Key(MediaKind.Pair), b.Key(MediaKind.Pair));
        Assert.NotEqual(a.Key(MediaKind.Pair), a.Key(MediaKind.Music));
        Assert.NotEqual(a.Key(MediaKind.Pair), (a with { ExternalId = "y" }).Key(MediaKind.Pair));
        Assert.NotEqual(a.Key(MediaKind.Pair), (a with { Source = "/m/b.mp4" }).Key(MediaKind.Pair));
    }

    private static async Task<List<BulkLine>> ReadAsync(string text)
    {
        var lines = new List<BulkLine>();
        await foreach (var line in BulkList.ReadAsync(new StringReader(text), Base, TestContext.Current.CancellationToken))
        {
            lines.Add(line);
        }

        return lines;
    }
}
