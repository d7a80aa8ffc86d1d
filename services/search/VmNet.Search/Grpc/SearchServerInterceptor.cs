using System.Security.Cryptography;
using System.Text;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Media;
using VmNet.Search.V1;

namespace VmNet.Search.Grpc;

/// <summary>
/// API keys and error codes for the search services (health and reflection pass untouched): admin calls need
/// <c>Search:AdminApiKey</c> and are refused when none is configured; queries need <c>Search:QueryApiKey</c> when set.
/// Engine failures become their status codes with the reason as detail.
/// </summary>
internal sealed partial class SearchServerInterceptor(IOptionsMonitor<SearchOptions> options, ILogger<SearchServerInterceptor> logger) : Interceptor
{
    public const string ApiKeyHeader = "x-api-key";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        GuardAsync(context, () => continuation(request, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        GuardAsync(context, () => continuation(requestStream, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        GuardAsync(context, async () =>
        {
            await continuation(request, responseStream, context);
            return true;
        });

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        GuardAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context);
            return true;
        });

    private async Task<T> GuardAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        Authorize(context);
        try
        {
            return await call();
        }
        catch (SearchFailedException e)
        {
            throw new RpcException(new Status(Code(e.Failure), e.Message));
        }
        catch (Exception e) when (e is MediaDecodeException or UnsafePathException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
    }

    private void Authorize(ServerCallContext context)
    {
        // Decide by the service the router resolved, never by the request path: routing matches paths case-insensitively,
        // so a string test on context.Method let "/VMNET.SEARCH.V1.SEARCHADMINSERVICE/..." through without a key.
        var service = context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.ServiceType;
        if (service is null)
        {
            LogRefused(context.Method, "no resolved gRPC endpoint");
            throw new RpcException(new Status(StatusCode.PermissionDenied, "call not resolved to a known service"));
        }

        var current = options.CurrentValue;
        if (typeof(SearchAdminService.SearchAdminServiceBase).IsAssignableFrom(service))
        {
            if (string.IsNullOrEmpty(current.AdminApiKey))
            {
                LogRefused(context.Method, "no admin key configured");
                throw new RpcException(new Status(StatusCode.PermissionDenied, "admin calls are disabled: no Search:AdminApiKey is configured"));
            }

            Require(context, current.AdminApiKey, "admin");
        }
        else if (typeof(SearchService.SearchServiceBase).IsAssignableFrom(service) && !string.IsNullOrEmpty(current.QueryApiKey))
        {
            Require(context, current.QueryApiKey, "query");
        }
    }

    private void Require(ServerCallContext context, string expected, string what)
    {
        var sent = context.RequestHeaders.GetValue(ApiKeyHeader);
        if (sent is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(expected)))
        {
            LogRefused(context.Method, sent is null ? "no key" : "wrong key");
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"{what} calls need a valid {ApiKeyHeader} header"));
        }
    }

    private static StatusCode Code(SearchFailure failure) => failure switch
    {
        SearchFailure.InvalidArgument => StatusCode.InvalidArgument,
        SearchFailure.NotFound => StatusCode.NotFound,
        SearchFailure.ResourceExhausted => StatusCode.ResourceExhausted,
        SearchFailure.FailedPrecondition => StatusCode.FailedPrecondition,
        _ => StatusCode.Unavailable,
    };

    [LoggerMessage(5030, LogLevel.Warning, "Refused {Method}: {Reason}")]
    private partial void LogRefused(string method, string reason);
}
