using System.Net;
using Google.Protobuf;
using Grpc.Core;
using VmNet.Search.V1;
using MediaKind = VmNet.Contracts.MediaKind;
using ContractModality = VmNet.Contracts.Modality;

namespace VmNet.Search.Tests;

/// <summary>
/// FindSimilar (music to music, video to video, the item left out) and label filters on every search, over gRPC and
/// REST on a real server. Expected answers are recomputed from the world's ONNX models and its metadata.
/// </summary>
public sealed class SimilarAndLabelTests(SearchServerFixture fixture) : IClassFixture<SearchServerFixture>
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    private SearchServer Server => fixture.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Http() => new() { BaseAddress = Server.WebAddress };

    private int IndexOf(string mediaId) => Server.World.Items.ToList().FindIndex(i => i.MediaId == mediaId);

    private string MoodOf(string mediaId) => SearchWorld.MetadataOf(IndexOf(mediaId)).Labels!["mood"];

    [Fact]
    public async Task Tracks_like_a_track_are_its_nearest_tracks_without_itself_by_id_external_id_and_rest()
    {
        var track = Server.World.First(MediaKind.Music);
        using var client = Server.Client();
        using var http = Http();

        var reply = await client.FindSimilarAsync(track.MediaId, Modality.Unspecified, new QueryOptions { TopK = 4 }, Ct);

        var expected = Server.World.ExpectedSimilar(track, ContractModality.Music, "v1").Take(4).ToList();
        Assert.Equal(("v1", Modality.Music), (reply.ModelVersion, reply.Target));
        Assert.Equal(expected.Select(e => e.MediaId), reply.Matches.Select(m => m.MediaId));
        Assert.All(reply.Matches.Zip(expected), p => Assert.Equal(p.Second.Score, p.First.Score, 3));
        Assert.DoesNotContain(reply.Matches, m => m.MediaId == track.MediaId);
        Assert.Equal(SearchWorld.MetadataOf(IndexOf(reply.Matches[0].MediaId)).Title, reply.Matches[0].Title);

        var byExternal = await client.FindSimilarByExternalIdAsync($"ext-{IndexOf(track.MediaId)}", Modality.Music, new QueryOptions { TopK = 4 }, Ct);
        var rest = await http.GetAsync($"/v1/media/{track.MediaId}/similar?modality=MODALITY_MUSIC&options.topK=4", Ct);
        var restExternal = await http.GetAsync($"/v1/media:similar?externalId=ext-{IndexOf(track.MediaId)}&options.topK=4", Ct);
        Assert.Equal(reply, byExternal);
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(reply, Parser.Parse<SearchReply>(await rest.Content.ReadAsStringAsync(Ct)));
        Assert.Equal(HttpStatusCode.OK, restExternal.StatusCode);
        Assert.Equal(reply, Parser.Parse<SearchReply>(await restExternal.Content.ReadAsStringAsync(Ct)));
    }

    [Fact]
    public async Task Videos_like_a_video_come_from_its_video_half_and_can_be_explained()
    {
        var pair = Server.World.First(MediaKind.Pair);
        using var client = Server.Client();

        var reply = await client.FindSimilarAsync(pair.MediaId, Modality.Video, new QueryOptions { TopK = 50, Explain = true }, Ct);

        var expected = Server.World.ExpectedSimilar(pair, ContractModality.Video, "v1");
        Assert.Equal(Modality.Video, reply.Target);
        Assert.Equal(expected.Select(e => e.MediaId), reply.Matches.Select(m => m.MediaId));
        Assert.NotEmpty(reply.Matches[0].Explanation);
        Assert.All(reply.Matches[0].Explanation, a => Assert.Equal(Modality.Video, a.Modality));
    }

    [Fact]
    public async Task A_label_filter_keeps_only_items_with_every_label_on_every_search()
    {
        var pair = Server.World.First(MediaKind.Pair);
        var track = Server.World.First(MediaKind.Music);
        var calm = new QueryOptions { TopK = 50, Filter = new Filter { Labels = { "mood=calm" } } };
        using var client = Server.Client();
        using var http = Http();

        var music = await client.FindMusicForVideoIdAsync(pair.MediaId, calm, Ct);
        var similar = await client.FindSimilarAsync(track.MediaId, Modality.Music, calm, Ct);
        var videos = await client.FindVideosForMusicIdAsync(track.MediaId, calm, Ct);

        // Every calm track, in the order of the unfiltered answer: nothing calm is missing, nothing else is in.
        var expectedMusic = Server.World.ExpectedMusicFor(pair.Video!, "v1").Where(e => MoodOf(e.MediaId) == "calm").Select(e => e.MediaId).ToList();
        Assert.Equal(expectedMusic, music.Matches.Select(m => m.MediaId));
        var expectedSimilar = Server.World.ExpectedSimilar(track, ContractModality.Music, "v1").Where(e => MoodOf(e.MediaId) == "calm").Select(e => e.MediaId).ToList();
        Assert.Equal(expectedSimilar, similar.Matches.Select(m => m.MediaId));
        Assert.NotEmpty(videos.Matches);
        Assert.All(videos.Matches, m => Assert.Equal("calm", m.Labels["mood"]));
        Assert.Equal(Server.World.Items.Count(i => i.Video is not null && MoodOf(i.MediaId) == "calm"), videos.Matches.Count);

        var both = new QueryOptions { TopK = 50, Filter = new Filter { Labels = { "mood=calm", "genre=rock" } } };
        Assert.Empty((await client.FindMusicForVideoIdAsync(pair.MediaId, both, Ct)).Matches);

        var rest = await http.GetAsync($"/v1/videos/{pair.MediaId}/music?options.topK=50&options.filter.labels=mood%3Dcalm", Ct);
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(music, Parser.Parse<SearchReply>(await rest.Content.ReadAsStringAsync(Ct)));
        var restSimilar = await http.GetAsync($"/v1/media/{track.MediaId}/similar?options.topK=50&options.filter.labels=mood%3Dcalm", Ct);
        Assert.Equal(similar, Parser.Parse<SearchReply>(await restSimilar.Content.ReadAsStringAsync(Ct)));
    }

    [Theory]
    [InlineData("mood")]
    [InlineData("Mood=calm")]
    [InlineData("mood=")]
    [InlineData("mood=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Bad_labels_are_invalid_arguments_on_every_search(string label)
    {
        var pair = Server.World.First(MediaKind.Pair);
        var options = new QueryOptions { Filter = new Filter { Labels = { label } } };
        using var client = Server.Client();
        using var http = Http();

        var find = await Assert.ThrowsAsync<RpcException>(() => client.FindMusicForVideoIdAsync(pair.MediaId, options, Ct));
        var similar = await Assert.ThrowsAsync<RpcException>(() => client.FindSimilarAsync(pair.MediaId, Modality.Unspecified, options, Ct));
        Assert.Equal((StatusCode.InvalidArgument, StatusCode.InvalidArgument), (find.StatusCode, similar.StatusCode));
        Assert.Contains("label", find.Status.Detail, StringComparison.Ordinal);

        var rest = await http.GetAsync($"/v1/media/{pair.MediaId}/similar?options.filter.labels={Uri.EscapeDataString(label)}", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, rest.StatusCode);
        using var clip = new ByteArrayContent([0, 0, 0, 0]);
        clip.Headers.ContentType = new("video/mp4");
        var upload = await http.PostAsync($"/v1/clips:findMusic?label={Uri.EscapeDataString(label)}", clip, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
    }

    [Fact]
    public async Task Too_many_labels_and_unknown_items_are_refused()
    {
        var pair = Server.World.First(MediaKind.Pair);
        using var client = Server.Client();
        var many = new QueryOptions { Filter = new Filter() };
        many.Filter.Labels.AddRange(Enumerable.Range(0, 17).Select(i => $"k{i}=v"));

        var tooMany = await Assert.ThrowsAsync<RpcException>(() => client.FindSimilarAsync(pair.MediaId, Modality.Unspecified, many, Ct));
        var unknown = await Assert.ThrowsAsync<RpcException>(() => client.FindSimilarAsync(new string('0', 32), Modality.Unspecified, null, Ct));
        var unknownExternal = await Assert.ThrowsAsync<RpcException>(() => client.FindSimilarByExternalIdAsync("nobody", Modality.Unspecified, null, Ct));
        var malformed = await Assert.ThrowsAsync<RpcException>(() => client.FindSimilarAsync("../etc", Modality.Unspecified, null, Ct));
        var noMusic = await Assert.ThrowsAsync<RpcException>(() => client.FindSimilarAsync(Server.World.First(MediaKind.Video).MediaId, Modality.Music, null, Ct));

        Assert.Equal(
            (StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.NotFound, StatusCode.InvalidArgument, StatusCode.NotFound),
            (tooMany.StatusCode, unknown.StatusCode, unknownExternal.StatusCode, malformed.StatusCode, noMusic.StatusCode));
    }
}
