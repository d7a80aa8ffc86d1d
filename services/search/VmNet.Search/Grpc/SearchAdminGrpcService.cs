using Grpc.Core;
using MassTransit;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Search.V1;

namespace VmNet.Search.Grpc;

/// <summary>Admin operations: they only publish requests; the trainer and the embedder act on them. Keyed in <see cref="SearchServerInterceptor"/>.</summary>
internal sealed class SearchAdminGrpcService(
    IPublishEndpoint publish, ModelRegistry registry, IFeatureCatalogue catalogue, IRemovalLedger removals, DataDirectory data) : SearchAdminService.SearchAdminServiceBase
{
    private const string DefaultRequester = "search-admin";

    public override async Task<AdminReply> RequestRetraining(RequestRetrainingRequest request, ServerCallContext context)
    {
        var message = new RetrainRequested(
            Guid.NewGuid(), Requester(request.RequestedBy), string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason, DateTimeOffset.UtcNow);
        await publish.Publish(message, context.CancellationToken);
        return new AdminReply { CorrelationId = message.CorrelationId.ToString(), Published = nameof(RetrainRequested) };
    }

    public override async Task<AdminReply> ActivateModel(ActivateModelRequest request, ServerCallContext context)
    {
        var version = request.ModelVersion;
        if (string.IsNullOrWhiteSpace(version) || version.Length > 128
            || version.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || version.Contains("..", StringComparison.Ordinal))
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, "model_version must be letters, digits, '-', '_' or '.'");
        }

        if (registry.Find(version) is null)
        {
            throw new SearchFailedException(SearchFailure.NotFound, $"no model {version} under {registry.Root}");
        }

        var message = new ModelActivationRequested(version, Guid.NewGuid(), Requester(request.RequestedBy), DateTimeOffset.UtcNow);
        await publish.Publish(message, context.CancellationToken);
        return new AdminReply { CorrelationId = message.CorrelationId.ToString(), Published = nameof(ModelActivationRequested) };
    }

    public override async Task<AdminReply> RemoveMedia(RemoveMediaRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        string mediaId;
        string? externalId = null;
        switch (request.KeyCase)
        {
            case RemoveMediaRequest.KeyOneofCase.MediaId when MediaId.IsValid(request.MediaId):
                mediaId = request.MediaId;
                var known = await catalogue.GetAsync(mediaId, ct) is not null || await removals.FindRemovalAsync(mediaId, ct) is not null
                    || Directory.Exists(Path.Combine(data.Media, mediaId));
                if (!known)
                {
                    throw new SearchFailedException(SearchFailure.NotFound, $"no media {mediaId} in the catalogue");
                }

                break;
            case RemoveMediaRequest.KeyOneofCase.MediaId:
                throw new SearchFailedException(SearchFailure.InvalidArgument, "media_id must be 32 lower-case hex characters");
            case RemoveMediaRequest.KeyOneofCase.ExternalId when MediaLabels.ExternalIdError(request.ExternalId) is { } error:
                throw new SearchFailedException(SearchFailure.InvalidArgument, error);
            case RemoveMediaRequest.KeyOneofCase.ExternalId:
                externalId = request.ExternalId;
                mediaId = (await catalogue.FindByExternalIdAsync(externalId, ct))?.MediaId
                    ?? (await removals.FindRemovalByExternalIdAsync(externalId, ct))?.MediaId
                    ?? throw new SearchFailedException(SearchFailure.NotFound, $"no media with external id {externalId}");
                break;
            default:
                throw new SearchFailedException(SearchFailure.InvalidArgument, "give media_id or external_id");
        }

        // The tombstone before the request: from this moment no answer names the item, whatever the workers' pace.
        var message = new MediaRemovalRequested(
            Guid.NewGuid(), mediaId, null, Requester(request.RequestedBy), DateTimeOffset.UtcNow, MediaLabels.CleanTag(request.Reason));
        var item = externalId is null ? await catalogue.GetAsync(mediaId, ct) : null;
        await removals.BeginRemovalAsync(
            new Removal(mediaId, externalId ?? item?.Metadata?.ExternalId, message.CorrelationId, message.RequestedBy, message.RequestedAt, RemovalState.Removing), ct);
        await publish.Publish<MediaRemovalRequested>(message, ct);
        return new AdminReply { CorrelationId = message.CorrelationId.ToString(), Published = nameof(MediaRemovalRequested), MediaId = mediaId };
    }

    private static string Requester(string requestedBy) =>
        string.IsNullOrWhiteSpace(requestedBy) ? DefaultRequester : requestedBy[..Math.Min(requestedBy.Length, 100)];
}
