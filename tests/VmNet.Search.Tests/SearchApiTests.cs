using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using VmNet.Contracts;
using VmNet.Search.V1;
using MediaKind = VmNet.Contracts.MediaKind;
using VmNet.Testing;

namespace VmNet.Search.Tests;

/// <summary>The server over real HTTP/2 (h2c on a loopback port), called with the typed client.</summary>
public sealed class SearchApiTests(SearchServerFixture fixture) : IClassFixture<SearchServerFixture>
{
    private SearchServer Server => fixture.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Music_for_a_video_id_is_ranked_by_the_live_models_cosine()
    {
        var video = Server.World.First(MediaKind.Pair);
        using var client = Server.Client();

        var reply = await client.FindMusicForVideoIdAsync(video.MediaId, new QueryOptions { TopK = 4 }, Ct);

        var expected = Server.World.ExpectedMusicFor(video.Video!, "v1").Take(4).ToList();
        Assert.Equal("v1", reply.ModelVersion);
        Assert.Equal(expected.Select(e => e.MediaId), reply.Matches.Select(m => m.MediaId));
        Assert.All(reply.Matches.Zip(expected), p => Assert.Equal(p.Second.Score, p.First.Score, 3));
        var top = Server.World.Items.Single(i => i.MediaId == reply.Matches[0].MediaId);
        Assert.Equal(top.TempoBpm, reply.Matches[0].TempoBpm);
        Assert.Equal(top.DurationSeconds, reply.Matches[0].DurationSeconds);
    }

    [Fact]
    public async Task Every_match_says_who_the_item_is()
    {
        var video = Server.World.First(MediaKind.Pair);
        using var client = Server.Client();

        var reply = await client.FindMusicForVideoIdAsync(video.MediaId, new QueryOptions { TopK = 50 }, Ct);

        Assert.NotEmpty(reply.Matches);
        foreach (var match in reply.Matches)
        {
            var i = Server.World.Items.Select((item, index) => (item, index)).Single(p => p.item.MediaId == match.MediaId).index;
            var expected = SearchWorld.MetadataOf(i);
            Assert.Equal(expected.Source, match.Source);
            Assert.Equal(expected.Title, match.Title);
            Assert.Equal(expected.Artist, match.Artist);
            Assert.Equal(expected.Album, match.Album);
            Assert.Equal(expected.ExternalId, match.ExternalId);
            Assert.Equal(expected.Labels!.OrderBy(l => l.Key), match.Labels.OrderBy(l => l.Key));
        }
    }

    [Fact]
    public async Task Raw_features_give_the_same_answer_as_the_catalogue_id()
    {
        var video = Server.World.First(MediaKind.Video);
        using var client = Server.Client();

        var byId = await client.FindMusicForVideoIdAsync(video.MediaId, cancellationToken: Ct);
        var byFeatures = await client.FindMusicForVideoFeaturesAsync(video.Video!, cancellationToken: Ct);

        Assert.Equal(byId.Matches.Select(m => m.MediaId), byFeatures.Matches.Select(m => m.MediaId));
        Assert.NotEmpty(byId.Matches);
    }

    [Fact]
    public async Task Videos_for_a_music_id_come_from_the_video_side()
    {
        var track = Server.World.First(MediaKind.Music);
        using var client = Server.Client();

        var reply = await client.FindVideosForMusicIdAsync(track.MediaId, new QueryOptions { TopK = 50 }, Ct);

        Assert.Equal(V1.Modality.Video, reply.Target);
        Assert.Equal(
            Server.World.Items.Where(i => i.Video is not null).Select(i => i.MediaId).Order(),
            reply.Matches.Select(m => m.MediaId).Order());
        Assert.Equal(reply.Matches.Select(m => m.Score).OrderDescending(), reply.Matches.Select(m => m.Score));
    }

    [Fact]
    public async Task Tempo_and_kind_filters_use_the_catalogue_payload()
    {
        var video = Server.World.First(MediaKind.Pair);
        using var client = Server.Client();
        var filter = new Filter { MinTempoBpm = 100, MaxTempoBpm = 160, Kind = V1.MediaKind.Pair };

        var reply = await client.FindMusicForVideoIdAsync(video.MediaId, new QueryOptions { TopK = 50, Filter = filter }, Ct);

        var expected = Server.World.Items.Where(i => i.Kind == MediaKind.Pair && i.TempoBpm is >= 100 and <= 160).Select(i => i.MediaId).Order();
        Assert.Equal(expected, reply.Matches.Select(m => m.MediaId).Order());
    }

    [Fact]
    public async Task Explanations_name_blocks_of_both_layouts()
    {
        var video = Server.World.First(MediaKind.Pair);
        using var client = Server.Client();

        var reply = await client.FindMusicForVideoIdAsync(video.MediaId, new QueryOptions { TopK = 3, Explain = true }, Ct);

        Assert.All(reply.Matches, m =>
        {
            Assert.Contains(m.Explanation, a => a.Modality == V1.Modality.Music && (a.Block.StartsWith("harmonic ", StringComparison.Ordinal) || a.Block.StartsWith("percussive ", StringComparison.Ordinal)));
            Assert.Contains(m.Explanation, a => a.Modality == V1.Modality.Video);
            Assert.Equal(m.Explanation.Select(a => a.Contribution).OrderDescending(), m.Explanation.Select(a => a.Contribution));
        });
    }

    [Fact]
    public async Task Unknown_id_is_not_found_and_a_malformed_one_invalid()
    {
        using var client = Server.Client();

        var unknown = await Assert.ThrowsAsync<RpcException>(() => client.FindMusicForVideoIdAsync(new string('0', 32), cancellationToken: Ct));
        var malformed = await Assert.ThrowsAsync<RpcException>(() => client.FindMusicForVideoIdAsync("../../etc/passwd", cancellationToken: Ct));

        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
    }

    [Fact]
    public async Task Wrong_feature_dimension_is_invalid_argument()
    {
        using var client = Server.Client();

        var e = await Assert.ThrowsAsync<RpcException>(() => client.FindMusicForVideoFeaturesAsync(new float[SearchWorld.VideoDim + 1], cancellationToken: Ct));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains($"{SearchWorld.VideoDim} video features", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversize_clip_is_resource_exhausted()
    {
        using var temp = new TempFolder("clip");
        var path = temp.File("big.mp4");
        await File.WriteAllBytesAsync(path, new byte[SearchServer.MaxClipBytes + 1], Ct);
        using var client = Server.Client();

        var e = await Assert.ThrowsAsync<RpcException>(() => client.FindMusicForVideoFileAsync(path, cancellationToken: Ct));

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Fact]
    public async Task Undecodable_clip_is_invalid_argument_with_the_reason()
    {
        using var temp = new TempFolder("clip");
        var path = temp.File("noise.mp4");
        await File.WriteAllBytesAsync(path, [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 % 251))], Ct);
        using var client = Server.Client();

        var e = await Assert.ThrowsAsync<RpcException>(() => client.FindMusicForVideoFileAsync(path, cancellationToken: Ct));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("not decodable", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_music_file_is_no_video_clip()
    {
        using var temp = new TempFolder("clip");
        var path = await TestMedia.AudioOnlyAsync(temp.File("tone.wav"), seconds: 1);
        using var client = Server.Client();

        var e = await Assert.ThrowsAsync<RpcException>(() => client.FindMusicForVideoFileAsync(path, cancellationToken: Ct));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("no video stream", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_calls_need_the_key()
    {
        using var anonymous = Server.Client();
        using var wrong = Server.Client("not-the-key");
        using var admin = Server.Client(SearchServer.AdminKey);

        var none = await Assert.ThrowsAsync<RpcException>(() => anonymous.RequestRetrainingAsync("test", cancellationToken: Ct));
        var bad = await Assert.ThrowsAsync<RpcException>(() => wrong.RequestRetrainingAsync("test", cancellationToken: Ct));
        var reply = await admin.RequestRetrainingAsync("keyed test", "tests", Ct);

        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, bad.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Server.Published.All.OfType<RetrainRequested>().Any(r => r.CorrelationId.ToString() == reply.CorrelationId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        var published = Assert.Single(Server.Published.All.OfType<RetrainRequested>(), r => r.CorrelationId.ToString() == reply.CorrelationId);
        Assert.Equal("keyed test", published.Reason);
        Assert.DoesNotContain(Server.Published.All.OfType<RetrainRequested>(), r => r.Reason == "test");
    }

    [Fact]
    public async Task Activating_an_unknown_model_is_not_found()
    {
        using var admin = Server.Client(SearchServer.AdminKey);

        var e = await Assert.ThrowsAsync<RpcException>(() => admin.ActivateModelAsync("no-such-model", cancellationToken: Ct));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task Model_info_reports_the_live_generation()
    {
        using var client = Server.Client();

        var info = await client.GetModelInfoAsync(Ct);

        Assert.Equal("v1", info.LiveVersion);
        Assert.Equal(SearchWorld.MusicDim, info.MusicInputDim);
        Assert.Equal(SearchWorld.VideoDim, info.VideoInputDim);
        var live = Assert.Single(info.Generations, g => g.Live);
        Assert.Equal(Server.World.Items.Count(i => i.Music is not null), live.MusicCount);
    }

    [Fact]
    public async Task Health_and_reflection_answer_on_the_grpc_endpoint_and_http1_health_stays()
    {
        using var channel = GrpcChannel.ForAddress(Server.GrpcAddress);
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
        using var reflection = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(cancellationToken: Ct);
        await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty }, Ct);
        await reflection.RequestStream.CompleteAsync();
        Assert.True(await reflection.ResponseStream.MoveNext(Ct));
        using var http = new HttpClient();
        var live = await http.GetAsync(new Uri(Server.HttpAddress, "/health/live"), Ct);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Contains("vmnet.search.v1.SearchService", reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name));
        Assert.True(live.IsSuccessStatusCode);
        Assert.Equal(new Version(1, 1), live.Version);
    }
}
