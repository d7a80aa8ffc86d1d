using Grpc.Core;
using VmNet.Search.V1;
using VmNet.Testing;
using MediaKind = VmNet.Contracts.MediaKind;

namespace VmNet.Search.Tests;

/// <summary>GetMedia and ListMedia over real gRPC: who an item is, where it stands, found by id, external id, label.</summary>
public sealed class MediaLookupTests(SearchServerFixture fixture) : IClassFixture<SearchServerFixture>
{
    private SearchServer Server => fixture.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_item_is_found_by_media_id_and_by_external_id_with_its_metadata_and_halves()
    {
        using var client = Server.Client();
        var index = Server.World.Items.ToList().FindIndex(i => i.Kind == MediaKind.Pair);
        var pair = Server.World.Items[index];

        var byId = await client.Queries.GetMediaAsync(new GetMediaRequest { MediaId = pair.MediaId }, cancellationToken: Ct);
        var byExternal = await client.Queries.GetMediaAsync(new GetMediaRequest { ExternalId = $"ext-{index}" }, cancellationToken: Ct);

        Assert.Equal(byId, byExternal);
        Assert.Equal(pair.MediaId, byId.MediaId);
        Assert.Equal(V1.MediaKind.Pair, byId.Kind);
        Assert.Equal(MediaStatus.Ready, byId.Status);
        Assert.Equal(($"Title {index}", $"Artist {index}", $"clip-{index}.mp4", $"ext-{index}"), (byId.Title, byId.Artist, byId.Source, byId.ExternalId));
        Assert.Equal("v1", byId.ModelVersion);
        Assert.True(byId.Music.HasFeatures && byId.Music.Embedded && byId.Video.HasFeatures && byId.Video.Embedded);
        Assert.Equal(string.Empty, byId.Music.Failure);
    }

    [Theory]
    [InlineData("", "no-such-id", StatusCode.NotFound)]
    [InlineData("0123456789abcdef0123456789abcdef", "", StatusCode.NotFound)]
    [InlineData("../../etc/passwd", "", StatusCode.InvalidArgument)]
    [InlineData("", "bad id with spaces", StatusCode.InvalidArgument)]
    public async Task An_unknown_or_malformed_key_is_a_status_code(string mediaId, string externalId, StatusCode expected)
    {
        using var client = Server.Client();
        var request = mediaId.Length > 0 ? new GetMediaRequest { MediaId = mediaId } : new GetMediaRequest { ExternalId = externalId };

        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.Queries.GetMediaAsync(request, cancellationToken: Ct));

        Assert.Equal(expected, e.StatusCode);
    }

    [Fact]
    public async Task Pages_list_every_item_once_and_filters_by_label_and_kind()
    {
        using var client = Server.Client();
        var seen = new List<string>();
        var token = string.Empty;
        do
        {
            var page = await client.Queries.ListMediaAsync(new ListMediaRequest { PageSize = 5, PageToken = token }, cancellationToken: Ct);
            Assert.True(page.Items.Count <= 5);
            seen.AddRange(page.Items.Select(i => i.MediaId));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(Server.World.Items.Select(i => i.MediaId).Order(StringComparer.Ordinal), seen);

        var calm = new ListMediaRequest { Labels = { ["mood"] = "calm" } };
        var calmIds = (await client.Queries.ListMediaAsync(calm, cancellationToken: Ct)).Items.Select(i => i.MediaId);
        Assert.Equal(Server.World.Items.Where((_, i) => i % 2 == 0).Select(i => i.MediaId).Order(StringComparer.Ordinal), calmIds);

        var videos = await client.Queries.ListMediaAsync(new ListMediaRequest { Kind = V1.MediaKind.Video }, cancellationToken: Ct);
        Assert.Equal(Server.World.Items.Where(i => i.Kind == MediaKind.Video).Select(i => i.MediaId).Order(StringComparer.Ordinal), videos.Items.Select(i => i.MediaId));
        Assert.All(videos.Items, v => Assert.False(v.Music.HasFeatures));
    }

    [Theory]
    [InlineData(-1, "", "mood", "page_size")]
    [InlineData(0, "not-a-token", "mood", "page_token")]
    [InlineData(0, "", "Mood; DROP TABLE items", "label key")]
    public async Task A_bad_page_request_is_invalid_argument(int size, string token, string labelKey, string detail)
    {
        using var client = Server.Client();
        var request = new ListMediaRequest { PageSize = size, PageToken = token, Labels = { [labelKey] = "calm" } };

        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.Queries.ListMediaAsync(request, cancellationToken: Ct));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(detail, e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Look_ups_need_the_query_key_when_one_is_set()
    {
        await using var server = await SearchServer.StartAsync(new Dictionary<string, string?> { ["Search:QueryApiKey"] = "query-key" });
        using var anonymous = server.Client();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await anonymous.Queries.ListMediaAsync(new ListMediaRequest(), cancellationToken: Ct));

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
    }
}
