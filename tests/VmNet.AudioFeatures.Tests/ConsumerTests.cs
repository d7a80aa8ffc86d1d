using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VmNet.AudioFeatures.Service;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.ServiceDefaults;
using VmNet.Testing;

namespace VmNet.AudioFeatures.Tests;

/// <summary>The consumer through MassTransit's test harness, on real files in a real data directory.</summary>
public sealed class ConsumerTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new("audio-consumer");
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DataDirectory Data => _provider.GetRequiredService<DataDirectory>();

    public async ValueTask InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new DataDirectory(_temp.Path));
        builder.AddAudioFeatures();
        builder.Services.AddMassTransitTestHarness(x => x.AddRegisteredConsumers(builder.Services));
        _provider = builder.Services.BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        _harness.TestTimeout = TimeSpan.FromMinutes(3);
        _harness.TestInactivityTimeout = TimeSpan.FromSeconds(1);
        await _harness.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_real_track_gives_the_extractor_vector_and_twice_gives_it_again()
    {
        var message = await IngestedAsync(Path.Combine(ReferenceData.Folder, "inputs", "elf-land.ogg"));
        await _harness.Bus.Publish(message, Ct);
        var first = await PublishedAsync<AudioFeaturesExtracted>(message.CorrelationId);

        var expected = await new MusicFeatureExtractor().FromFileAsync(
            Data.ResolveUri(message.AudioUri!), false, TimeSpan.FromMinutes(1), 3600, Ct);
        Assert.Equal(expected.Vector, first.Vector.ToArray());
        Assert.Equal(AudioFeatureLayout.Frames, first.Frames);
        Assert.Equal(AudioFeatureLayout.ExtractorVersion, first.ExtractorVersion);
        Assert.NotNull(first.TempoBpm);

        var again = message with { CorrelationId = Guid.NewGuid() };
        await _harness.Bus.Publish(again, Ct);
        var second = await PublishedAsync<AudioFeaturesExtracted>(again.CorrelationId);
        Assert.Equal(first.Vector.ToArray(), second.Vector.ToArray());
        Assert.False(await _harness.Published.Any<Fault<MediaIngested>>(Ct));
    }

    [Fact]
    public async Task A_corrupt_file_fails_and_the_worker_keeps_consuming()
    {
        var corrupt = _temp.File("corrupt.mp3");
        await File.WriteAllBytesAsync(corrupt, Enumerable.Range(0, 4000).Select(i => (byte)(i * 13)).ToArray(), Ct);
        var bad = await IngestedAsync(corrupt);
        await _harness.Bus.Publish(bad, Ct);
        var failed = await PublishedAsync<FeatureExtractionFailed>(bad.CorrelationId);
        Assert.Equal(Modality.Music, failed.Modality);
        Assert.Contains("ffmpeg", failed.Reason, StringComparison.OrdinalIgnoreCase);

        var good = await IngestedAsync(await TestMedia.AudioOnlyAsync(_temp.File("tone.wav"), seconds: 2));
        await _harness.Bus.Publish(good, Ct);
        await PublishedAsync<AudioFeaturesExtracted>(good.CorrelationId);
        Assert.False(await _harness.Published.Any<Fault<MediaIngested>>(Ct));
    }

    [Fact]
    public async Task A_path_outside_the_data_directory_is_refused_and_no_audio_is_ignored()
    {
        var outside = new MediaIngested(
            new string('a', MediaId.Length), Guid.NewGuid(), MediaKind.Music, new Uri("file:///etc/passwd"), null, 1, "test", DateTimeOffset.UtcNow);
        await _harness.Bus.Publish(outside, Ct);
        var failed = await PublishedAsync<FeatureExtractionFailed>(outside.CorrelationId);
        Assert.Contains("outside", failed.Reason, StringComparison.Ordinal);

        var videoOnly = outside with { CorrelationId = Guid.NewGuid(), AudioUri = null, Kind = MediaKind.Video };
        await _harness.Bus.Publish(videoOnly, Ct);
        await ConsumedAsync(videoOnly.CorrelationId);
        Assert.False(await _harness.Published.Any<AudioFeaturesExtracted>(x => x.Context.Message.CorrelationId == videoOnly.CorrelationId, Ct));
        Assert.False(await _harness.Published.Any<FeatureExtractionFailed>(x => x.Context.Message.CorrelationId == videoOnly.CorrelationId, Ct));
    }

    [Fact]
    public async Task Another_media_ids_audio_is_refused_and_nothing_is_cached_under_the_forged_id()
    {
        var real = await IngestedAsync(await TestMedia.AudioOnlyAsync(_temp.File("real.wav"), seconds: 2));
        var forgedId = new string('0', MediaId.Length);
        var forged = real with { MediaId = forgedId, CorrelationId = Guid.NewGuid() };
        await _harness.Bus.Publish(forged, Ct);

        var failed = await PublishedAsync<FeatureExtractionFailed>(forged.CorrelationId);
        Assert.Equal(forgedId, failed.MediaId);
        Assert.Contains("not media/", failed.Reason, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Data.MediaFolder(forgedId)));

        var unknownKind = real with { Kind = (MediaKind)42, CorrelationId = Guid.NewGuid() };
        await _harness.Bus.Publish(unknownKind, Ct);
        Assert.Contains("unknown kind", (await PublishedAsync<FeatureExtractionFailed>(unknownKind.CorrelationId)).Reason, StringComparison.Ordinal);
    }

    // Places a file in the data directory as ingest would and describes it.
    private async Task<MediaIngested> IngestedAsync(string source)
    {
        var id = await MediaId.OfFileAsync(source, Ct);
        var target = Path.Combine(Data.MediaFolder(id), DataDirectory.AudioPartName);
        File.Copy(source, target, overwrite: true);
        return new MediaIngested(id, Guid.NewGuid(), MediaKind.Music, new Uri(target), null, 0, source, DateTimeOffset.UtcNow);
    }

    // The harness's own waits end at its inactivity timeout, shorter than one extraction on a busy machine: poll instead.
    private async Task<T> PublishedAsync<T>(Guid correlationId)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            var published = _harness.Published.Select<T>(x => CorrelationOf(x.Context.Message) == correlationId, Ct).FirstOrDefault();
            if (published is not null)
            {
                return published.Context.Message;
            }

            await Task.Delay(200, Ct);
        }

        var faults = _harness.Published.Select<Fault<MediaIngested>>(Ct).SelectMany(f => f.Context.Message.Exceptions.Select(e => e.Message));
        var seen = _harness.Published.Select(_ => true, Ct).Select(m => m.MessageType.Name);
        Assert.Fail($"no {typeof(T).Name} for {correlationId}; published: {string.Join(", ", seen)}; faults: {string.Join(" | ", faults)}");
        return null!;
    }

    private async Task ConsumedAsync(Guid correlationId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!_harness.Consumed.Select<MediaIngested>(x => x.Context.Message.CorrelationId == correlationId, Ct).Any())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{correlationId} was not consumed");
            await Task.Delay(200, Ct);
        }
    }

    private static Guid? CorrelationOf(object message) => message switch
    {
        AudioFeaturesExtracted m => m.CorrelationId,
        FeatureExtractionFailed m => m.CorrelationId,
        _ => null,
    };
}
