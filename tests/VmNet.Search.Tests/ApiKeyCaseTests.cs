using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using VmNet.Search.V1;

namespace VmNet.Search.Tests;

/// <summary>
/// Keys are enforced on the service the router resolved: ASP.NET Core routing matches gRPC paths case-insensitively,
/// so a differently-cased path reaches the same handler and must meet the same key check.
/// </summary>
public sealed class ApiKeyCaseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Method<TRequest, TReply> Unary<TRequest, TReply>(string service, string name, MessageParser<TRequest> requestParser, MessageParser<TReply> replyParser)
        where TRequest : IMessage<TRequest>
        where TReply : IMessage<TReply> =>
        new(MethodType.Unary, service, name,
            Marshallers.Create(m => m.ToByteArray(), requestParser.ParseFrom),
            Marshallers.Create(m => m.ToByteArray(), replyParser.ParseFrom));

    [Theory]
    [InlineData("VMNET.SEARCH.V1.SEARCHADMINSERVICE", "RequestRetraining")]
    [InlineData("vmnet.search.v1.searchadminservice", "requestretraining")]
    public async Task Admin_call_with_a_differently_cased_path_still_needs_the_key(string service, string method)
    {
        await using var server = await SearchServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var call = Unary(service, method, RequestRetrainingRequest.Parser, AdminReply.Parser);

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await channel.CreateCallInvoker().AsyncUnaryCall(call, null, new CallOptions(cancellationToken: Ct), new RequestRetrainingRequest { Reason = "case bypass" }));

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.DoesNotContain(server.Published.All.OfType<VmNet.Contracts.RetrainRequested>(), r => r.Reason == "case bypass");
    }

    [Fact]
    public async Task Query_call_with_a_differently_cased_path_still_needs_the_query_key()
    {
        await using var server = await SearchServer.StartAsync(new Dictionary<string, string?> { ["Search:QueryApiKey"] = "query-key" });
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var call = Unary("VMNET.SEARCH.V1.SEARCHSERVICE", "GETMODELINFO", GetModelInfoRequest.Parser, ModelInfo.Parser);
        var invoker = channel.CreateCallInvoker();

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await invoker.AsyncUnaryCall(call, null, new CallOptions(cancellationToken: Ct), new GetModelInfoRequest()));
        var keyed = await invoker.AsyncUnaryCall(call, null, new CallOptions(new Metadata { { "x-api-key", "query-key" } }, cancellationToken: Ct), new GetModelInfoRequest());

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Equal("v1", keyed.LiveVersion);
    }
}
