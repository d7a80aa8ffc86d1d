using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using VmNet.Search.V1;
using MediaKind = VmNet.Contracts.MediaKind;

namespace VmNet.Search.Tests;

/// <summary>
/// The REST/JSON API (gRPC JSON transcoding on <c>Search:HttpUrl</c>) over real HTTP/1.1: the same answers as gRPC for
/// the same query, the same keys, status codes as HTTP statuses, and the OpenAPI document.
/// </summary>
public sealed class RestApiTests(SearchServerFixture fixture) : IClassFixture<SearchServerFixture>
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    private SearchServer Server => fixture.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Http() => new() { BaseAddress = Server.WebAddress };

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Rest_find_music_answers_what_grpc_answers_for_the_same_query()
    {
        var video = Server.World.First(MediaKind.Pair);
        var options = new QueryOptions { TopK = 5, Explain = true, Filter = new Filter { MinTempoBpm = 85, MaxDurationSeconds = 70 } };
        using var client = Server.Client();
        using var http = Http();

        var grpc = await client.FindMusicForVideoIdAsync(video.MediaId, options, Ct);
        var post = await http.PostAsync("/v1/music:find", Json(JsonFormatter.Default.Format(new SearchRequest { MediaId = video.MediaId, Options = options })), Ct);
        var get = await http.GetAsync($"/v1/videos/{video.MediaId}/music?options.topK=5&options.explain=true&options.filter.minTempoBpm=85&options.filter.maxDurationSeconds=70", Ct);

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.NotEmpty(grpc.Matches);
        Assert.NotEmpty(grpc.Matches[0].Explanation);
        Assert.Equal(grpc, Parser.Parse<SearchReply>(await post.Content.ReadAsStringAsync(Ct)));
        Assert.Equal(grpc, Parser.Parse<SearchReply>(await get.Content.ReadAsStringAsync(Ct)));
    }

    [Fact]
    public async Task Rest_find_videos_by_features_and_model_info_answer_what_grpc_answers()
    {
        var track = Server.World.First(MediaKind.Music);
        using var client = Server.Client();
        using var http = Http();

        var grpc = await client.FindVideosForMusicFeaturesAsync(track.Music!, new QueryOptions { TopK = 3 }, Ct);
        var request = new SearchRequest { Features = new Features(), Options = new QueryOptions { TopK = 3 } };
        request.Features.Values.AddRange(track.Music!);
        var rest = await http.PostAsync("/v1/videos:find", Json(JsonFormatter.Default.Format(request)), Ct);
        var grpcInfo = await client.GetModelInfoAsync(Ct);
        var restInfo = Parser.Parse<ModelInfo>(await http.GetStringAsync("/v1/model", Ct));

        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(grpc, Parser.Parse<SearchReply>(await rest.Content.ReadAsStringAsync(Ct)));
        Assert.Equal("v1", restInfo.LiveVersion);
        Assert.Equal(grpcInfo.Generations, restInfo.Generations);
    }

    [Fact]
    public async Task Rest_catalogue_look_ups_answer_what_grpc_answers()
    {
        var index = Server.World.Items.ToList().FindIndex(i => i.Kind == MediaKind.Pair);
        var pair = Server.World.Items[index];
        using var client = Server.Client();
        using var http = Http();

        var grpc = await client.Queries.GetMediaAsync(new GetMediaRequest { MediaId = pair.MediaId }, cancellationToken: Ct);
        var byId = await http.GetAsync($"/v1/media/{pair.MediaId}", Ct);
        var byExternal = await http.GetAsync($"/v1/media:lookup?externalId=ext-{index}", Ct);
        var grpcPage = await client.Queries.ListMediaAsync(
            new ListMediaRequest { Kind = V1.MediaKind.Pair, Status = MediaStatus.Ready, PageSize = 2 }, cancellationToken: Ct);
        var restPage = await http.GetAsync("/v1/media?kind=MEDIA_KIND_PAIR&status=MEDIA_STATUS_READY&pageSize=2", Ct);
        var unknown = await http.GetAsync($"/v1/media/{new string('a', 32)}", Ct);

        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byExternal.StatusCode);
        Assert.Equal($"Title {index}", grpc.Title);
        Assert.Equal(grpc, Parser.Parse<MediaItem>(await byId.Content.ReadAsStringAsync(Ct)));
        Assert.Equal(grpc, Parser.Parse<MediaItem>(await byExternal.Content.ReadAsStringAsync(Ct)));
        Assert.Equal(HttpStatusCode.OK, restPage.StatusCode);
        Assert.NotEmpty(grpcPage.Items);
        Assert.Equal(grpcPage, Parser.Parse<ListMediaReply>(await restPage.Content.ReadAsStringAsync(Ct)));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Rest_errors_are_http_statuses_with_the_reason()
    {
        using var http = Http();

        var unknown = await http.GetAsync($"/v1/videos/{new string('a', 32)}/music", Ct);
        var malformed = await http.GetAsync("/v1/videos/not-an-id/music", Ct);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using var body = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync(Ct));
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("message").GetString()));
    }

    [Theory]
    [InlineData("/v1/admin/retraining")]
    [InlineData("/V1/ADMIN/RETRAINING")]
    public async Task Rest_admin_call_needs_the_admin_key_whatever_the_paths_case(string path)
    {
        using var http = Http();
        var reason = $"rest {path}";

        var refused = await http.PostAsync(path, Json($$"""{"reason":"{{reason}}"}"""), Ct);
        using var keyed = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json($$"""{"reason":"{{reason}} keyed"}""") };
        keyed.Headers.Add("x-api-key", SearchServer.AdminKey);
        var accepted = await http.SendAsync(keyed, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var reply = Parser.Parse<AdminReply>(await accepted.Content.ReadAsStringAsync(Ct));
        Assert.Equal("RetrainRequested", reply.Published);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Server.Published.All.OfType<VmNet.Contracts.RetrainRequested>().Any(r => r.Reason == $"{reason} keyed") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.DoesNotContain(Server.Published.All.OfType<VmNet.Contracts.RetrainRequested>(), r => r.Reason == reason);
        Assert.Contains(Server.Published.All.OfType<VmNet.Contracts.RetrainRequested>(), r => r.Reason == $"{reason} keyed");
    }

    [Fact]
    public async Task Rest_queries_need_the_query_key_when_one_is_set()
    {
        await using var server = await SearchServer.StartAsync(new Dictionary<string, string?> { ["Search:QueryApiKey"] = "query-key" });
        using var http = new HttpClient { BaseAddress = server.WebAddress };

        var refused = await http.GetAsync("/V1/MODEL", Ct);
        http.DefaultRequestHeaders.Add("x-api-key", "query-key");
        var keyed = await http.GetAsync("/v1/model", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keyed.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_rest_routes_and_is_browsable()
    {
        using var http = Http();

        using var document = JsonDocument.Parse(await http.GetStringAsync("/swagger/v1/swagger.json", Ct));
        var ui = await http.GetAsync("/swagger/index.html", Ct);

        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/v1/music:find", paths);
        Assert.Contains("/v1/videos/{mediaId}/music", paths);
        Assert.Contains("/v1/tracks/{mediaId}/beats", paths);
        Assert.Contains("/v1/media/{mediaId}", paths);
        Assert.Contains("/v1/media", paths);
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger", await ui.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);
    }
}
