using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.ServiceDefaults;
using VmNet.Testing;
using VmNet.VideoFeatures;
using VmNet.VideoFeatures.Service;

namespace VmNet.VideoFeatures.Tests;

/// <summary>The role through MassTransit's harness, the CLI through the real <c>vmnet</c>, and a PCA fit between them.</summary>
public sealed class ConsumerTests(ArtworkVideos videos) : IDisposable
{
    private readonly TempFolder _data = new("video-data");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ingested_video_gives_the_cli_vector_and_bad_videos_fail_while_consuming_goes_on()
    {
        var data = new DataDirectory(_data.Path);
        var garden = await IngestedAsync(data, videos.Garden);
        var garbage = Path.Combine(data.MediaFolder("0123456789abcdef0123456789abcdef"), DataDirectory.VideoPartName);
        await File.WriteAllBytesAsync(garbage, [.. Enumerable.Range(0, 2048).Select(i => (byte)(i * 7))], Ct);
        var weather = await IngestedAsync(data, videos.Weather);

        await using var provider = BuildHarness(_data.Path);
        var harness = provider.GetTestHarness();
        await harness.Start();
        var bad = Message("0123456789abcdef0123456789abcdef", garbage);
        var outside = Message("fedcba9876543210fedcba9876543210", videos.Garden); // outside the data dir
        // Another id's part: its features must not be stored under this id.
        var forged = garden with { MediaId = "00000000000000000000000000000000", CorrelationId = Guid.NewGuid() };
        await harness.Bus.Publish(bad, Ct);
        await harness.Bus.Publish(outside, Ct);
        await harness.Bus.Publish(forged, Ct);
        await harness.Bus.Publish(garden, Ct);
        await harness.Bus.Publish(weather, Ct);
        await harness.Bus.Publish(garden with { VideoUri = null, Kind = MediaKind.Music }, Ct);

        var extracted = await WaitAsync<VideoFeaturesExtracted>(harness, 2);
        var failed = await WaitAsync<FeatureExtractionFailed>(harness, 3);
        Assert.False(await harness.Published.Any<Fault<MediaIngested>>(Ct));
        Assert.True(await harness.Consumed.Any<MediaIngested>(m => m.Context.Message.VideoUri is null, Ct));
        Assert.All(failed, f => Assert.Equal(Modality.Video, f.Modality));
        Assert.Contains(failed, f => f.MediaId == bad.MediaId && f.Reason.Contains("ffmpeg", StringComparison.Ordinal));
        Assert.Contains(failed, f => f.MediaId == outside.MediaId && f.Reason.Contains("outside", StringComparison.Ordinal));
        Assert.Contains(failed, f => f.MediaId == forged.MediaId && f.Reason.Contains("not media/", StringComparison.Ordinal));
        Assert.DoesNotContain(extracted, e => e.MediaId == forged.MediaId);

        var fromBus = extracted.Single(e => e.MediaId == garden.MediaId);
        Assert.Equal(15, fromBus.Frames);
        Assert.False(fromBus.Whitened);
        Assert.Null(fromBus.PcaVersion);
        Assert.Equal(garden.DurationSeconds, fromBus.DurationSeconds);
        var (cli, exit) = await CliVectorAsync(videos.Garden, _data.Path);
        Assert.Equal(0, exit);
        Assert.Equal(fromBus.Vector.Length, cli.GetProperty("dim").GetInt32());
        Assert.Equal(fromBus.Frames, cli.GetProperty("frames").GetInt32());
        Assert.Equal(fromBus.Vector.ToArray(), cli.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()).ToArray());

        // Fit on the two cached videos (kind=pair), then a redelivery re-pools from the cache with the new PCA.
        using var extractor = new VideoFeatureExtractor(new VideoFeatureOptions(), null);
        var store = new VideoPcaStore(data);
        var pca = await new VideoPcaFitter(new VideoFeatureCache(data), store, new VideoFeatureOptions())
            .FitAsync(extractor.ExtractorVersion, new HashSet<MediaKind> { MediaKind.Pair }, DateTimeOffset.UtcNow, Ct);
        Assert.Equal(2, pca.Manifest.Videos);
        Assert.Equal(1, pca.Manifest.OutputDimension); // two videos span one direction
        Assert.Equal(pca.Version, store.CurrentVersion);

        await harness.Bus.Publish(garden with { CorrelationId = Guid.NewGuid() }, Ct);
        var repooled = (await WaitAsync<VideoFeaturesExtracted>(harness, 3)).Single(e => e.PcaVersion is not null);
        Assert.True(repooled.Whitened);
        Assert.Equal(pca.Version, repooled.PcaVersion);
        Assert.Equal(pca.Manifest.OutputDimension, repooled.Vector.Length);
        var (cliAfter, _) = await CliVectorAsync(videos.Garden, _data.Path);
        Assert.Equal(pca.Version, cliAfter.GetProperty("pcaVersion").GetString());
        Assert.Equal(repooled.Vector.ToArray(), cliAfter.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()).ToArray());
    }

    public void Dispose() => _data.Dispose();

    private static ServiceProvider BuildHarness(string dataPath)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new DataDirectory(dataPath));
        builder.Services.Configure<BusOptions>(o => o.RetryLimit = 0);
        builder.AddVideoFeatures();
        var services = builder.Services;
        services.AddMassTransitTestHarness(x => x.AddRegisteredConsumers(services));
        return services.BuildServiceProvider(true);
    }

    // The ingest role's claim check: the video part inside the data dir under its content hash.
    private static async Task<MediaIngested> IngestedAsync(DataDirectory data, string video)
    {
        var id = await MediaId.OfFileAsync(video, Ct);
        var part = Path.Combine(data.MediaFolder(id), "video.mkv");
        File.Copy(video, part, overwrite: true);
        return Message(id, part) with { Kind = MediaKind.Pair };
    }

    private static MediaIngested Message(string id, string path) =>
        new(id, Guid.NewGuid(), MediaKind.Video, null, new Uri(path), 15, path, DateTimeOffset.UtcNow);

    // Polls what was published so far (a cancelled token makes the harness return at once instead of waiting for inactivity).
    private static async Task<List<T>> WaitAsync<T>(ITestHarness harness, int count)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var found = new List<T>();
            using var now = new CancellationTokenSource();
            await now.CancelAsync();
            try
            {
                await foreach (var message in harness.Published.SelectAsync<T>(now.Token))
                {
                    found.Add(message.Context.Message);
                }
            }
            catch (OperationCanceledException)
            {
            }

            if (found.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.True(found.Count >= count, $"{found.Count} {typeof(T).Name} published, expected {count}");
                return found;
            }

            await Task.Delay(200, Ct);
        }
    }

    private static async Task<(JsonElement Json, int ExitCode)> CliVectorAsync(string video, string data)
    {
        var (exit, output) = await VmnetProcess.RunAsync(
            ["features", "video", video, "--json", "--data", data], TimeSpan.FromMinutes(3));
        var line = output.Split('\n').Last(l => l.StartsWith('{'));
        return (JsonDocument.Parse(line).RootElement.Clone(), exit);
    }
}
