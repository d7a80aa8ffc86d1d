using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Hosting;
using VmNet.Media;
using VmNet.Storage;
using VmNet.Testing;

namespace VmNet.Embedder.Tests;

/// <summary><see cref="FeatureExtractionFailed"/> recorded per item and half in the catalogue.</summary>
public sealed class ExtractionFailureTests
{
    private const string Reason = "ffprobe: no video stream in video.mp4";
    private static readonly DateTimeOffset FailedAt = new(2025, 3, 4, 5, 6, 7, 891, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFailedVideoHalfIsRecordedBesideTheStoredMusicAndLaterFeaturesClearIt()
    {
        await using var h = await EmbedderHarness.StartAsync();
        var pair = EmbedderHarness.Id(1);
        await h.Harness.Bus.Publish(h.Ingested(pair, MediaKind.Pair), Ct);
        await h.PublishMusicAsync(pair, seed: 1);
        await h.ConsumedAsync<MediaIngested>(pair);
        await h.ConsumedAsync<AudioFeaturesExtracted>(pair);

        await h.PublishFailureAsync(pair, Modality.Video, Reason, FailedAt);
        await h.ConsumedAsync<FeatureExtractionFailed>(pair);

        var item = await h.Catalogue.GetAsync(pair, Ct);
        Assert.NotNull(item);
        Assert.Equal(EmbedderHarness.Features(1, TestModelFolders.MusicDim), item.MusicFeatures);
        Assert.Null(item.VideoFeatures);
        Assert.Equal(new ExtractionFailure(Reason, FailedAt), item.VideoFailure);
        Assert.Null(item.MusicFailure);
        Assert.Equal(MediaKind.Pair, item.Kind);
        Assert.False(await h.Harness.Published.Any<Fault<FeatureExtractionFailed>>(Ct));

        await h.PublishVideoAsync(pair, seed: 2);
        await h.ConsumedAsync<VideoFeaturesExtracted>(pair);

        item = await h.Catalogue.GetAsync(pair, Ct);
        Assert.NotNull(item);
        Assert.Null(item.VideoFailure);
        Assert.Equal(EmbedderHarness.Features(2, TestModelFolders.VideoDim), item.VideoFeatures);
        Assert.NotNull(item.MusicFeatures);
    }

    [Fact]
    public async Task TheSameFailureTwiceChangesNothing()
    {
        await using var h = await EmbedderHarness.StartAsync();
        var id = EmbedderHarness.Id(2);
        await h.PublishMusicAsync(id, seed: 2);
        await h.ConsumedAsync<AudioFeaturesExtracted>(id);
        await h.PublishFailureAsync(id, Modality.Video, Reason, FailedAt);
        await h.ConsumedAsync<FeatureExtractionFailed>(id);
        var before = await h.Catalogue.GetAsync(id, Ct);

        await h.PublishFailureAsync(id, Modality.Video, Reason, FailedAt);
        await h.ConsumedAsync<FeatureExtractionFailed>(id, count: 2);

        var after = await h.Catalogue.GetAsync(id, Ct);
        Assert.NotNull(before);
        Assert.NotNull(after);
        Assert.Equal(
            (before.Kind, before.MusicFailure, before.VideoFailure, before.UpdatedAt, before.MusicExtractorVersion),
            (after.Kind, after.MusicFailure, after.VideoFailure, after.UpdatedAt, after.MusicExtractorVersion));
        Assert.Equal(before.MusicFeatures, after.MusicFeatures);
        Assert.Equal(1, await h.Catalogue.CountAsync(null, Ct));
    }

    [Fact]
    public async Task AFailureOfAnItemWithNoFeaturesYetIsKeptButNotCountedAsACatalogueItem()
    {
        await using var h = await EmbedderHarness.StartAsync();
        var id = EmbedderHarness.Id(3);
        await h.PublishFailureAsync(id, Modality.Music, "decode failed", FailedAt);
        await h.ConsumedAsync<FeatureExtractionFailed>(id);

        var item = await h.Catalogue.GetAsync(id, Ct);
        Assert.NotNull(item);
        Assert.Equal(new ExtractionFailure("decode failed", FailedAt), item.MusicFailure);
        Assert.Null(item.VideoFailure);
        Assert.Equal(0, await h.Catalogue.CountAsync(null, Ct));
        Assert.False(await h.Harness.Published.Any<MediaEmbedded>(Ct));
    }

    [Fact]
    public async Task ACatalogueWrittenBeforeFailuresWereRecordedIsMigratedInPlace()
    {
        using var folder = new TempFolder("catalogue-migration");
        var data = new DataDirectory(folder.Path);
        var music = EmbedderHarness.Features(4, TestModelFolders.MusicDim);
        var id = EmbedderHarness.Id(4);
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(data.Store, "catalogue.db")}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // The table exactly as the first release created it.
            command.CommandText = """
                CREATE TABLE items (
                    media_id TEXT PRIMARY KEY,
                    kind INTEGER NOT NULL,
                    kind_known INTEGER NOT NULL DEFAULT 0,
                    duration REAL NOT NULL,
                    tempo REAL NULL,
                    music BLOB NULL, music_version TEXT NULL,
                    video BLOB NULL, video_version TEXT NULL,
                    updated_at TEXT NOT NULL);
                INSERT INTO items (media_id, kind, kind_known, duration, tempo, music, music_version, updated_at)
                VALUES ($id, 0, 1, 30, 120, $music, 'old-audio', '2024-01-01T00:00:00.0000000+00:00');
                """;
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$music", System.Runtime.InteropServices.MemoryMarshal.AsBytes(music.AsSpan()).ToArray());
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            // Several processes may open the old database at once (embedder, trainer, search).
            var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => new SqliteFeatureCatalogue(data), Ct)));
            var catalogue = opened[0];

            var old = await catalogue.GetAsync(id, Ct);
            Assert.NotNull(old);
            Assert.Equal((MediaKind.Pair, "old-audio", (ExtractionFailure?)null, (ExtractionFailure?)null), (old.Kind, old.MusicExtractorVersion, old.MusicFailure, old.VideoFailure));
            Assert.Equal(music, old.MusicFeatures);

            await catalogue.RecordFailureAsync(id, Modality.Video, Reason, FailedAt, Ct);
            var reopened = new SqliteFeatureCatalogue(data);
            var failed = await reopened.GetAsync(id, Ct);
            Assert.Equal(new ExtractionFailure(Reason, FailedAt), failed!.VideoFailure);
            Assert.Equal(music, failed.MusicFeatures);
            Assert.Equal(1, await reopened.CountAsync(MediaKind.Pair, Ct));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    [Fact]
    public async Task IngestWaitEndsOnceTheFailedHalfIsRecordedAndReportsIt()
    {
        using var folder = new TempFolder("completion");
        await using var app = VmNetHost.Build([EmbedderRole.Name], new Dictionary<string, string?>
        {
            ["Storage:DataDir"] = folder.Path,
            ["Bus:Redelivery"] = "false",
            ["Bus:RetryLimit"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        }, b => b.AddPipelineEvents());
        await app.StartAsync(Ct);
        try
        {
            var bus = app.Services.GetRequiredService<IBus>();
            var id = EmbedderHarness.Id(5);
            var ingested = EmbedderHarness.Ingested(new DataDirectory(folder.Path), id, MediaKind.Pair);
            await bus.Publish(ingested, Ct);
            await bus.Publish(new AudioFeaturesExtracted(id, ingested.CorrelationId, [.. EmbedderHarness.Features(5, TestModelFolders.MusicDim)], 100, "test-audio", 30, 120, DateTimeOffset.UtcNow), Ct);
            await bus.Publish(new FeatureExtractionFailed(id, ingested.CorrelationId, Modality.Video, Reason, FailedAt), Ct);

            var failure = await app.Services.WaitProcessedAsync(ingested, TimeSpan.FromSeconds(30), Ct);

            Assert.Equal("video: " + Reason, failure);
            var item = await app.Services.GetRequiredService<IFeatureCatalogue>().GetAsync(id, Ct);
            Assert.Equal(new ExtractionFailure(Reason, FailedAt), item!.VideoFailure);
            Assert.NotNull(item.MusicFeatures);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            SqliteConnection.ClearAllPools();
        }
    }
}
