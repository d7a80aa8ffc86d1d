using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using VmNet.Search.V1;

namespace VmNet.Search.Client;

/// <summary>
/// A typed client for the search service: one HTTP/2 channel (h2c for http://, TLS for https://), the API key
/// sent as <c>x-api-key</c> on every call, clips streamed from disk in chunks.
/// </summary>
public sealed class SearchClient : IDisposable
{
    public const string ApiKeyHeader = "x-api-key";

    /// <summary>Chunk size of clip uploads; well under gRPC's default 4 MiB message limit.</summary>
    public const int ChunkBytes = 64 * 1024;

    private readonly GrpcChannel _channel;
    private readonly bool _ownsChannel;
    private readonly Metadata _headers = [];

    public SearchClient(Uri server, string? apiKey = null, HttpMessageHandler? handler = null)
        : this(server, apiKey, new SearchClientOptions(), handler)
    {
    }

    /// <summary>
    /// A client of <paramref name="server"/>. A key is sent in clear over http:// only to a loopback address, and
    /// never when <see cref="SearchClientOptions.RequireTls"/> is set: such a client refuses before it connects.
    /// </summary>
    public SearchClient(Uri server, string? apiKey, SearchClientOptions options, HttpMessageHandler? handler = null)
        : this(GrpcChannel.ForAddress(Checked(server, apiKey, options), new GrpcChannelOptions
        {
            HttpHandler = handler ?? Handler(options),
            DisposeHttpClient = true,
        }), apiKey, ownsChannel: true)
    {
    }

    public SearchClient(GrpcChannel channel, string? apiKey = null)
        : this(channel, apiKey, ownsChannel: false)
    {
    }

    private SearchClient(GrpcChannel channel, string? apiKey, bool ownsChannel)
    {
        _channel = channel;
        _ownsChannel = ownsChannel;
        if (!string.IsNullOrEmpty(apiKey))
        {
            _headers.Add(ApiKeyHeader, apiKey);
        }

        Queries = new SearchService.SearchServiceClient(channel);
        Admin = new SearchAdminService.SearchAdminServiceClient(channel);
    }

    /// <summary>The generated query client, for calls this wrapper does not cover.</summary>
    public SearchService.SearchServiceClient Queries { get; }

    /// <summary>The generated admin client.</summary>
    public SearchAdminService.SearchAdminServiceClient Admin { get; }

    public Task<SearchReply> FindMusicForVideoIdAsync(string mediaId, QueryOptions? options = null, CancellationToken cancellationToken = default) =>
        Queries.FindMusicAsync(new SearchRequest { MediaId = mediaId, Options = options ?? new() }, _headers, cancellationToken: cancellationToken).ResponseAsync;

    public Task<SearchReply> FindVideosForMusicIdAsync(string mediaId, QueryOptions? options = null, CancellationToken cancellationToken = default) =>
        Queries.FindVideosAsync(new SearchRequest { MediaId = mediaId, Options = options ?? new() }, _headers, cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>Music for raw video features (the video extractor's vector).</summary>
    public Task<SearchReply> FindMusicForVideoFeaturesAsync(IEnumerable<float> features, QueryOptions? options = null, CancellationToken cancellationToken = default) =>
        Queries.FindMusicAsync(new SearchRequest { Features = ToFeatures(features), Options = options ?? new() }, _headers, cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>Videos for raw music features (the 1140-value music vector).</summary>
    public Task<SearchReply> FindVideosForMusicFeaturesAsync(IEnumerable<float> features, QueryOptions? options = null, CancellationToken cancellationToken = default) =>
        Queries.FindVideosAsync(new SearchRequest { Features = ToFeatures(features), Options = options ?? new() }, _headers, cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>Uploads a video file and returns music for it.</summary>
    public Task<SearchReply> FindMusicForVideoFileAsync(string path, QueryOptions? options = null, CancellationToken cancellationToken = default) =>
        UploadAsync(Queries.FindMusicForClip(_headers, cancellationToken: cancellationToken), path, options, cancellationToken);

    /// <summary>Uploads a music file and returns videos for it.</summary>
    public Task<SearchReply> FindVideosForMusicFileAsync(string path, QueryOptions? options = null, CancellationToken cancellationToken = default) =>
        UploadAsync(Queries.FindVideosForClip(_headers, cancellationToken: cancellationToken), path, options, cancellationToken);

    /// <summary>Items like a catalogue item in its own modality (<see cref="Modality.Unspecified"/>: music when it has some), the item left out.</summary>
    public Task<SearchReply> FindSimilarAsync(string mediaId, Modality modality = Modality.Unspecified, QueryOptions? options = null, CancellationToken cancellationToken = default) =>
        Queries.FindSimilarAsync(new FindSimilarRequest { MediaId = mediaId, Modality = modality, Options = options ?? new() }, _headers, cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>Like <see cref="FindSimilarAsync"/>, the item named by the platform's external id.</summary>
    public Task<SearchReply> FindSimilarByExternalIdAsync(string externalId, Modality modality = Modality.Unspecified, QueryOptions? options = null, CancellationToken cancellationToken = default) =>
        Queries.FindSimilarAsync(new FindSimilarRequest { ExternalId = externalId, Modality = modality, Options = options ?? new() }, _headers, cancellationToken: cancellationToken).ResponseAsync;

    public Task<ModelInfo> GetModelInfoAsync(CancellationToken cancellationToken = default) =>
        Queries.GetModelInfoAsync(new GetModelInfoRequest(), _headers, cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>The live model now and after every change, until <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<ModelInfo> WatchModelAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = Queries.WatchModel(new WatchModelRequest(), _headers, cancellationToken: cancellationToken);
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            yield return call.ResponseStream.Current;
        }
    }

    public Task<AdminReply> RequestRetrainingAsync(string reason, string? requestedBy = null, CancellationToken cancellationToken = default) =>
        Admin.RequestRetrainingAsync(new RequestRetrainingRequest { Reason = reason, RequestedBy = requestedBy ?? string.Empty }, _headers, cancellationToken: cancellationToken).ResponseAsync;

    public Task<AdminReply> ActivateModelAsync(string modelVersion, string? requestedBy = null, CancellationToken cancellationToken = default) =>
        Admin.ActivateModelAsync(new ActivateModelRequest { ModelVersion = modelVersion, RequestedBy = requestedBy ?? string.Empty }, _headers, cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>
    /// A takedown by media id or by external id (give one, the other null): the item's tombstone is written before the
    /// reply, and <c>MediaRemoved</c> with the reply's correlation id follows when every role has forgotten it.
    /// </summary>
    public Task<AdminReply> RemoveMediaAsync(string? mediaId, string? externalId, string? reason = null, string? requestedBy = null, CancellationToken cancellationToken = default)
    {
        var request = new RemoveMediaRequest { Reason = reason ?? string.Empty, RequestedBy = requestedBy ?? string.Empty };
        if (mediaId is not null)
        {
            request.MediaId = mediaId;
        }

        if (externalId is not null)
        {
            request.ExternalId = externalId;
        }

        return Admin.RemoveMediaAsync(request, _headers, cancellationToken: cancellationToken).ResponseAsync;
    }

    /// <summary>A catalogue track's tempo and beat times.</summary>
    public Task<Beats> GetBeatsAsync(string trackId, CancellationToken cancellationToken = default) =>
        Queries.GetBeatsAsync(new GetBeatsRequest { MediaId = trackId }, _headers, cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>
    /// Renders a video (a local file to upload, or a catalogue video id) with catalogue track <paramref name="trackId"/>
    /// as its soundtrack, fitted to the video's length, and writes the MP4 to <paramref name="output"/>.
    /// </summary>
    public async Task<PreviewInfo> RenderPreviewAsync(
        string trackId, string? videoPath, string? videoMediaId, Stream output, CancellationToken cancellationToken = default)
    {
        var header = new PreviewHeader { TrackId = trackId };
        if (videoMediaId is not null)
        {
            header.VideoMediaId = videoMediaId;
        }
        else
        {
            header.FileName = Path.GetFileName(videoPath ?? throw new ArgumentNullException(nameof(videoPath)));
        }

        using var call = Queries.RenderPreview(_headers, cancellationToken: cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(new PreviewUpload { Header = header }, cancellationToken);
            if (videoMediaId is null)
            {
                await using var file = File.OpenRead(videoPath!);
                var buffer = new byte[ChunkBytes];
                int n;
                while ((n = await file.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await call.RequestStream.WriteAsync(new PreviewUpload { Chunk = ByteString.CopyFrom(buffer, 0, n) }, cancellationToken);
                }
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server ended the call early (unknown track, oversize clip): its status comes with the response stream.
        }
        catch (InvalidOperationException)
        {
            // Writing after the server has finished the call: its status comes with the response stream.
        }

        PreviewInfo? info = null;
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            var part = call.ResponseStream.Current;
            if (part.PartCase == PreviewPart.PartOneofCase.Info)
            {
                info = part.Info;
            }
            else
            {
                await output.WriteAsync(part.Chunk.Memory, cancellationToken);
            }
        }

        return info ?? throw new RpcException(new Status(StatusCode.Internal, "the server sent no preview"));
    }

    public void Dispose()
    {
        if (_ownsChannel)
        {
            _channel.Dispose();
        }
    }

    private static Uri Checked(Uri server, string? apiKey, SearchClientOptions options)
    {
        if (server.Scheme == Uri.UriSchemeHttps)
        {
            return server;
        }

        if (options.RequireTls)
        {
            throw new ArgumentException($"TLS is required but the search address is {server.Scheme}:// ({server})", nameof(server));
        }

        if (!string.IsNullOrEmpty(apiKey) && !server.IsLoopback)
        {
            throw new ArgumentException($"an API key is sent only over https:// or to a loopback address, not to {server}", nameof(server));
        }

        return server;
    }

    private static SocketsHttpHandler Handler(SearchClientOptions options)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (options.CaFile is { } caFile)
        {
            // Trust exactly this CA (a private or self-signed one) for this channel; the machine's store is not consulted.
            var ca = LoadCa(caFile);
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { ca },
                RevocationMode = X509RevocationMode.NoCheck,
            };
        }

        return handler;
    }

    private static X509Certificate2 LoadCa(string path)
    {
        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"cannot read the CA certificate {path}: {e.Message}", nameof(path), e);
        }
    }

    private static Features ToFeatures(IEnumerable<float> values)
    {
        var features = new Features();
        features.Values.AddRange(values);
        return features;
    }

    private static async Task<SearchReply> UploadAsync(
        AsyncClientStreamingCall<ClipUpload, SearchReply> call, string path, QueryOptions? options, CancellationToken cancellationToken)
    {
        using (call)
        {
            try
            {
                await call.RequestStream.WriteAsync(new ClipUpload { Header = new ClipHeader { Options = options ?? new(), FileName = Path.GetFileName(path) } }, cancellationToken);
                await using var file = File.OpenRead(path);
                var buffer = new byte[ChunkBytes];
                int n;
                while ((n = await file.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await call.RequestStream.WriteAsync(new ClipUpload { Chunk = ByteString.CopyFrom(buffer, 0, n) }, cancellationToken);
                }

                await call.RequestStream.CompleteAsync();
            }
            catch (RpcException)
            {
                // The server ended the call early (e.g. RESOURCE_EXHAUSTED on an oversize clip): its status is the answer.
            }
            catch (InvalidOperationException) when (call.ResponseAsync.IsCompleted)
            {
                // Writing after the server has finished the call: report the server's status below.
            }

            return await call.ResponseAsync;
        }
    }
}

/// <summary>How a <see cref="SearchClient"/> connects.</summary>
public sealed class SearchClientOptions
{
    /// <summary>A PEM or DER CA certificate to trust for the server's certificate (e.g. a self-signed one).</summary>
    public string? CaFile { get; init; }

    /// <summary>Refuse http:// addresses: nothing, and no key, is sent without TLS.</summary>
    public bool RequireTls { get; init; }
}
