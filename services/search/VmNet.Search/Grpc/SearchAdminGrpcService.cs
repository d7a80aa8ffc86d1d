using Grpc.Core;
using MassTransit;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Search.V1;

namespace VmNet.Search.Grpc;

/// <summary>Admin operations: they only publish requests; the trainer and the embedder act on them. Keyed in <see cref="SearchServerInterceptor"/>.</summary>
internal sealed class SearchAdminGrpcService(IPublishEndpoint publish, ModelRegistry registry) : SearchAdminService.SearchAdminServiceBase
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

    private static string Requester(string requestedBy) =>
        string.IsNullOrWhiteSpace(requestedBy) ? DefaultRequester : requestedBy[..Math.Min(requestedBy.Length, 100)];
}
