using System.Text.Json;
using Microsoft.Extensions.Logging;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.Ingest;

/// <summary>
/// One ingest from request to parts on disk, without the bus. The media id is the content hash of the
/// fetched file, and a finished ingest leaves a manifest, so the same media a second time reuses its parts.
/// </summary>
internal sealed partial class Ingestor(MediaFetcher fetcher, MediaSplitter splitter, DataDirectory data, IRemovalLedger removals, ILogger<Ingestor> logger)
{
    private const string ManifestName = "ingested.json";

    /// <summary>The parts of one ingested item, as written to its manifest.</summary>
    public sealed record Manifest(
        string MediaId, MediaKind Kind, string? AudioFile, string? VideoFile, double DurationSeconds,
        string? Title = null, string? Artist = null, string? Album = null);

    /// <summary>Returns the <see cref="MediaIngested"/> to publish, or throws <see cref="IngestRejectedException"/>.</summary>
    public async Task<MediaIngested> IngestAsync(IngestRequested request, CancellationToken cancellationToken)
    {
        if (!Enum.IsDefined(request.Kind))
        {
            throw new IngestRejectedException($"unknown kind {(int)request.Kind}");
        }

        // Checked before any download: a bad label must not cost a fetch.
        if ((MediaLabels.ExternalIdError(request.ExternalId) ?? MediaLabels.LabelsError(request.Labels)) is { } invalid)
        {
            throw new IngestRejectedException(invalid);
        }

        using var activity = ServiceDefaults.Telemetry.ActivitySource.StartActivity("ingest");
        using var fetched = await fetcher.FetchAsync(request.Source, cancellationToken);
        // Hashing reads the whole file: refuse an oversize one before spending that.
        splitter.CheckSize(fetched.Path);
        var mediaId = await MediaId.OfFileAsync(fetched.Path, cancellationToken);
        activity?.SetTag("vmnet.media_id", mediaId);
        await RefuseRemovedAsync(mediaId, cancellationToken);
        var folder = data.MediaFolder(mediaId);
        var manifestPath = Path.Combine(folder, ManifestName);
        var manifest = await ReadManifestAsync(manifestPath, cancellationToken);
        // A pair's parts serve any kind: the same bytes asked for again as music or video stay a pair (never downgraded).
        if (manifest is null || (manifest.Kind != request.Kind && manifest.Kind != MediaKind.Pair))
        {
            var analysis = await splitter.ProbeAsync(fetched.Path, request.Kind, cancellationToken);
            var parts = await splitter.SplitAsync(fetched.Path, analysis, request.Kind, folder, cancellationToken);
            manifest = new Manifest(
                mediaId, request.Kind, Path.GetFileName(parts.AudioPath), Path.GetFileName(parts.VideoPath), parts.DurationSeconds,
                analysis.Title, analysis.Artist, analysis.Album);
            await WriteManifestAsync(manifestPath, manifest, cancellationToken);
            LogIngested(mediaId, request.Kind, manifest.DurationSeconds);
        }
        else
        {
            LogAlreadyIngested(mediaId);
        }

        // Again after the parts are written: a takedown whose purge ran while this ingest split the file would otherwise
        // find its folder back. Its tombstone came before its purge, so one of the two sees the other.
        if ((await removals.RemovedAmongAsync([mediaId], cancellationToken)).Count > 0)
        {
            MediaFolders.Delete(data, mediaId);
            await RefuseRemovedAsync(mediaId, cancellationToken);
        }

        return new MediaIngested(
            mediaId,
            request.CorrelationId,
            manifest.Kind,
            manifest.AudioFile is null ? null : DataDirectory.ToUri(Path.Combine(folder, manifest.AudioFile)),
            manifest.VideoFile is null ? null : DataDirectory.ToUri(Path.Combine(folder, manifest.VideoFile)),
            manifest.DurationSeconds,
            request.Source,
            DateTimeOffset.UtcNow,
            new MediaMetadata(
                IngestSource.Display(request.Source), manifest.Title, manifest.Artist, manifest.Album,
                request.ExternalId, request.Labels is { Count: > 0 } labels ? labels : null));
    }

    // A taken-down item stays down: a re-ingest of the same bytes (a rerun of a list, a request queued before the
    // takedown) is refused rather than bringing it back unnoticed. services/ingest/README.md says why.
    private async Task RefuseRemovedAsync(string mediaId, CancellationToken cancellationToken)
    {
        if (await removals.FindRemovalAsync(mediaId, cancellationToken) is { } removal)
        {
            throw new IngestRejectedException(
                $"media {mediaId} was taken down on {removal.RequestedAt:yyyy-MM-dd HH:mm} UTC (by {removal.RequestedBy}); it is not ingested again");
        }
    }

    private static async Task<Manifest?> ReadManifestAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        Manifest? manifest;
        try
        {
            await using var stream = File.OpenRead(path);
            manifest = await JsonSerializer.DeserializeAsync<Manifest>(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            // A corrupt manifest is a miss: the media is split again and the manifest rewritten (not a fault forever).
            return null;
        }

        var folder = Path.GetDirectoryName(path)!;
        // A manifest whose parts went missing is stale: ingest again.
        return manifest is not null
            && (manifest.AudioFile is null || File.Exists(Path.Combine(folder, manifest.AudioFile)))
            && (manifest.VideoFile is null || File.Exists(Path.Combine(folder, manifest.VideoFile)))
            ? manifest
            : null;
    }

    private static async Task WriteManifestAsync(string path, Manifest manifest, CancellationToken cancellationToken)
    {
        var partial = MediaSplitter.Partial(path);
        await File.WriteAllTextAsync(partial, JsonSerializer.Serialize(manifest), cancellationToken);
        File.Move(partial, path, overwrite: true);
    }

    [LoggerMessage(1001, LogLevel.Information, "Ingested {MediaId} ({Kind}, {Duration:0.0} s)")]
    private partial void LogIngested(string mediaId, MediaKind kind, double duration);

    [LoggerMessage(1002, LogLevel.Information, "{MediaId} was ingested before; reusing its parts")]
    private partial void LogAlreadyIngested(string mediaId);
}
