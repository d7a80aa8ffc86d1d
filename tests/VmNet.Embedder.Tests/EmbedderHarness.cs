using System.Collections.Immutable;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.ServiceDefaults;
using VmNet.Testing;

namespace VmNet.Embedder.Tests;

/// <summary>The embedder role on MassTransit's test harness over a temp data dir, with real ONNX models.</summary>
public sealed class EmbedderHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbedderHarness(IHost host, TempFolder data)
    {
        _host = host;
        Data = data;
    }

    public TempFolder Data { get; }

    public ITestHarness Harness => _host.Services.GetTestHarness();

    public IServiceProvider Services => _host.Services;

    /// <summary>The reason of the last <see cref="ModelActivationFailed"/> an answer wait saw.</summary>
    public string? LastFailure { get; private set; }

    public IVectorStore Store => Services.GetRequiredService<IVectorStore>();

    public IFeatureCatalogue Catalogue => Services.GetRequiredService<IFeatureCatalogue>();

    public string ModelsRoot => Services.GetRequiredService<DataDirectory>().Models;

    public static async Task<EmbedderHarness> StartAsync()
    {
        var data = new TempFolder("embedder");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Storage:DataDir"] = data.Path;
        builder.Configuration["Bus:Redelivery"] = "false";
        builder.Configuration["Bus:RetryLimit"] = "0";
        builder.AddServiceDefaults();
        builder.AddEmbedder();
        builder.Services.AddMassTransitTestHarness(x => x.AddRegisteredConsumers(builder.Services));
        var host = builder.Build();
        await host.StartAsync();
        return new EmbedderHarness(host, data);
    }

    public static string Id(int n) => MediaId.OfBytes(BitConverter.GetBytes(n));

    public static float[] Features(int seed, int width) =>
        [.. TestModels.RandomRows(new Random(seed), 1, width)[0]];

    /// <summary>A <see cref="MediaIngested"/> as ingest sends it: the parts its kind has exist in the data directory.</summary>
    public MediaIngested Ingested(string id, MediaKind kind, string source = "test", MediaMetadata? metadata = null) =>
        Ingested(Services.GetRequiredService<DataDirectory>(), id, kind, source, metadata);

    /// <summary>
    /// The parts are empty files: the embedder only checks that they are there (the feature workers read them).
    /// </summary>
    public static MediaIngested Ingested(DataDirectory data, string id, MediaKind kind, string source = "test", MediaMetadata? metadata = null)
    {
        Uri? Part(bool present, string name)
        {
            if (!present)
            {
                return null;
            }

            var path = Path.Combine(data.MediaFolder(id), name);
            File.WriteAllBytes(path, []);
            return DataDirectory.ToUri(path);
        }

        return new MediaIngested(
            id, Guid.NewGuid(), kind, Part(kind != MediaKind.Video, DataDirectory.AudioPartName), Part(kind != MediaKind.Music, DataDirectory.VideoPartName),
            30, source, DateTimeOffset.UtcNow, metadata);
    }

    public Task PublishMusicAsync(string id, int seed, int width = TestModelFolders.MusicDim, double? tempo = 120) =>
        Harness.Bus.Publish(new AudioFeaturesExtracted(id, Guid.NewGuid(), [.. Features(seed, width)], 100, "test-audio", 30, tempo, DateTimeOffset.UtcNow));

    public Task PublishVideoAsync(string id, int seed) =>
        Harness.Bus.Publish(new VideoFeaturesExtracted(id, Guid.NewGuid(), [.. Features(seed, TestModelFolders.VideoDim)], 30, "test-video", null, false, 30, DateTimeOffset.UtcNow));

    public Task PublishFailureAsync(string id, Modality modality, string reason, DateTimeOffset failedAt) =>
        Harness.Bus.Publish(new FeatureExtractionFailed(id, Guid.NewGuid(), modality, reason, failedAt));

    public async Task<ModelActivated?> PublishModelAsync(string version, Uri? location = null)
    {
        var correlation = Guid.NewGuid();
        await Harness.Bus.Publish(new ModelPublished(version, correlation, location ?? new Uri(Path.Combine(ModelsRoot, version)), ImmutableDictionary<string, double>.Empty, DateTimeOffset.UtcNow));
        return await AnswerAsync(correlation);
    }

    public async Task<ModelActivated?> RequestActivationAsync(string version)
    {
        var correlation = Guid.NewGuid();
        await Harness.Bus.Publish(new ModelActivationRequested(version, correlation, "test", DateTimeOffset.UtcNow));
        return await AnswerAsync(correlation);
    }

    /// <summary>Polls until <paramref name="condition"/> holds (the harness's own Any can answer before a just-published message arrives).</summary>
    public static async Task WaitForAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(20, CancellationToken.None);
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException("no " + what);
            }
        }
    }

    public Task ConsumedAsync<T>(string mediaId, int count = 1)
        where T : class =>
        WaitForAsync(() => Harness.Consumed.Select<T>().Count(c => MediaIdOf(c.Context.Message) == mediaId) >= count, $"{typeof(T).Name} for {mediaId}");

    /// <summary>Waits until every message published so far has been consumed.</summary>
    public async Task SettleAsync() => await Harness.InactivityTask;

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Data.Dispose();
    }

    private static string? MediaIdOf(object message) => message switch
    {
        AudioFeaturesExtracted a => a.MediaId,
        VideoFeaturesExtracted v => v.MediaId,
        MediaIngested i => i.MediaId,
        FeatureExtractionFailed f => f.MediaId,
        _ => null,
    };

    /// <summary>The <see cref="ModelActivated"/> for <paramref name="correlation"/>, or null when it failed.</summary>
    private async Task<ModelActivated?> AnswerAsync(Guid correlation)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            timeout.Token.ThrowIfCancellationRequested();
            if (Harness.Published.Select<ModelActivated>().FirstOrDefault(m => m.Context.Message.CorrelationId == correlation) is { } ok)
            {
                return ok.Context.Message;
            }

            if (Harness.Published.Select<ModelActivationFailed>().FirstOrDefault(m => m.Context.Message.CorrelationId == correlation) is { } failed)
            {
                LastFailure = failed.Context.Message.Reason;
                return null;
            }

            await Task.Delay(20, timeout.Token);
        }
    }
}
