using Microsoft.Extensions.Logging;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.Embedder;

/// <summary>
/// The embedder's part of a takedown, without the bus. A request is resolved to a media id (by id, or by external id
/// through the catalogue and then the tombstones), its tombstone is written first (from then on no catalogue read,
/// search answer or suggestion includes the item, and no catalogue write can bring it back), then its vectors in every
/// generation, its catalogue row and its media folder (parts, ingest's manifest, the feature caches) are deleted and
/// the tombstone moves to <see cref="RemovalState.Purged"/>. Every step is idempotent, so a redelivery or a restart
/// (<see cref="RemovalResumer"/>) simply runs it again.
/// </summary>
public sealed partial class MediaRemover(
    IFeatureCatalogue catalogue, IRemovalLedger removals, CatalogueEmbedder embedder, DataDirectory data, ILogger<MediaRemover> logger)
{
    /// <summary>
    /// What to publish for <paramref name="request"/>: <see cref="MediaPurged"/> (search finishes the removal) or, when
    /// there is nothing to purge, the answer itself, <see cref="MediaRemoved"/> (already removed, or not found).
    /// </summary>
    public async Task<object> HandleAsync(MediaRemovalRequested request, CancellationToken cancellationToken)
    {
        if (Invalid(request) is { } invalid)
        {
            LogRefused(request.CorrelationId, invalid);
            return Answer(request, null, RemovalOutcome.NotFound, invalid);
        }

        var mediaId = request.MediaId;
        var tombstone = mediaId is not null
            ? await removals.FindRemovalAsync(mediaId, cancellationToken)
            : null;
        CatalogueItem? item = null;
        if (mediaId is null)
        {
            item = await catalogue.FindByExternalIdAsync(request.ExternalId!, cancellationToken);
            tombstone = item is null ? await removals.FindRemovalByExternalIdAsync(request.ExternalId!, cancellationToken) : null;
            mediaId = item?.MediaId ?? tombstone?.MediaId;
            if (mediaId is null)
            {
                return Answer(request, null, RemovalOutcome.NotFound, $"no media with external id {request.ExternalId}");
            }

            tombstone ??= await removals.FindRemovalAsync(mediaId, cancellationToken);
        }

        if (tombstone is { State: RemovalState.Removed })
        {
            LogAlreadyRemoved(mediaId, tombstone.RequestedAt);
            return Answer(request, mediaId, RemovalOutcome.AlreadyRemoved, null, tombstone.ExternalId);
        }

        if (tombstone is null)
        {
            item ??= await catalogue.GetAsync(mediaId, cancellationToken);
            // An id nobody knows gets no tombstone: it would refuse those bytes for good on a typo. An item still on its
            // way (ingested, not yet catalogued) has its folder and is removed.
            if (item is null && !Directory.Exists(Path.Combine(data.Media, mediaId)))
            {
                return Answer(request, mediaId, RemovalOutcome.NotFound, $"no media {mediaId} in the catalogue");
            }

            tombstone = await removals.BeginRemovalAsync(
                new Removal(mediaId, item?.Metadata?.ExternalId ?? request.ExternalId, request.CorrelationId, Requester(request.RequestedBy), request.RequestedAt, RemovalState.Removing),
                cancellationToken);
        }

        return await PurgeAsync(tombstone, request.CorrelationId, cancellationToken);
    }

    /// <summary>Deletes what the embedder's side holds of a tombstoned item and moves it to <see cref="RemovalState.Purged"/>.</summary>
    public async Task<MediaPurged> PurgeAsync(Removal tombstone, Guid correlationId, CancellationToken cancellationToken)
    {
        var mediaId = tombstone.MediaId;
        var (vectors, row) = await embedder.ForgetAsync(mediaId, cancellationToken);
        var folder = MediaFolders.Delete(data, mediaId);
        await removals.AdvanceRemovalAsync(mediaId, RemovalState.Purged, cancellationToken);
        LogPurged(mediaId, vectors, row, folder);
        return new MediaPurged(mediaId, correlationId, tombstone.ExternalId, DateTimeOffset.UtcNow);
    }

    private static string? Invalid(MediaRemovalRequested request) =>
        (request.MediaId is null) == (request.ExternalId is null) ? "give exactly one of a media id or an external id"
        : request.MediaId is not null && !MediaId.IsValid(request.MediaId) ? "not a media id (32 lower-case hex characters)"
        : MediaLabels.ExternalIdError(request.ExternalId);

    private static MediaRemoved Answer(MediaRemovalRequested request, string? mediaId, RemovalOutcome outcome, string? reason, string? externalId = null) =>
        new(request.CorrelationId, mediaId, externalId ?? (MediaLabels.ExternalIdError(request.ExternalId) is null ? request.ExternalId : null), outcome, DateTimeOffset.UtcNow, reason);

    private static string Requester(string? requestedBy) =>
        string.IsNullOrWhiteSpace(requestedBy) ? "unknown" : MediaLabels.CleanTag(requestedBy, 100) ?? "unknown";

    [LoggerMessage(4420, LogLevel.Information, "Removed {MediaId}: {Vectors} vectors, catalogue row {Row}, media folder {Folder}")]
    private partial void LogPurged(string mediaId, int vectors, bool row, bool folder);

    [LoggerMessage(4421, LogLevel.Information, "{MediaId} was removed at {RemovedAt:u}; nothing left to do")]
    private partial void LogAlreadyRemoved(string mediaId, DateTimeOffset removedAt);

    [LoggerMessage(4422, LogLevel.Warning, "Removal request {CorrelationId} refused: {Reason}")]
    private partial void LogRefused(Guid correlationId, string reason);
}
