using System.Runtime.CompilerServices;
using Grpc.Core;
using VmNet.Catalogue;
using VmNet.Media;
using VmNet.Search.Preview;
using VmNet.Search.V1;
using Contracts = VmNet.Contracts;

namespace VmNet.Search.Grpc;

/// <summary>The query service of <c>vmnet.search.v1</c>; errors become status codes in <see cref="SearchServerInterceptor"/>.</summary>
internal sealed class SearchGrpcService(
    SearchEngine engine,
    ClipSearch clips,
    LiveModelMonitor monitor,
    IVectorStore store,
    PreviewRenderer previews,
    IFeatureCatalogue catalogue)
    : SearchService.SearchServiceBase
{
    public override async Task<SearchReply> FindMusic(SearchRequest request, ServerCallContext context) =>
        ProtoMapping.ToReply(await engine.SearchAsync(ProtoMapping.ToQuery(Contracts.Modality.Music, request), context.CancellationToken));

    public override async Task<SearchReply> FindVideos(SearchRequest request, ServerCallContext context) =>
        ProtoMapping.ToReply(await engine.SearchAsync(ProtoMapping.ToQuery(Contracts.Modality.Video, request), context.CancellationToken));

    public override async Task<SearchReply> FindSimilar(FindSimilarRequest request, ServerCallContext context) =>
        ProtoMapping.ToReply(await engine.SimilarAsync(ProtoMapping.ToSimilar(request), context.CancellationToken));

    public override Task<SearchReply> FindMusicForClip(IAsyncStreamReader<ClipUpload> requestStream, ServerCallContext context) =>
        ClipAsync(Contracts.Modality.Music, requestStream, context.CancellationToken);

    public override Task<SearchReply> FindVideosForClip(IAsyncStreamReader<ClipUpload> requestStream, ServerCallContext context) =>
        ClipAsync(Contracts.Modality.Video, requestStream, context.CancellationToken);

    public override async Task<ModelInfo> GetModelInfo(GetModelInfoRequest request, ServerCallContext context) =>
        ProtoMapping.ToModelInfo(monitor.Current, await store.ListGenerationsAsync(context.CancellationToken));

    public const int DefaultPageSize = 50;

    public const int MaxPageSize = 500;

    public override async Task<MediaItem> GetMedia(GetMediaRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var item = request.KeyCase switch
        {
            GetMediaRequest.KeyOneofCase.MediaId when MediaId.IsValid(request.MediaId) => await catalogue.GetAsync(request.MediaId, ct),
            GetMediaRequest.KeyOneofCase.MediaId => throw Invalid("media_id must be 32 lower-case hex characters"),
            GetMediaRequest.KeyOneofCase.ExternalId when MediaLabels.ExternalIdError(request.ExternalId) is { } error => throw Invalid(error),
            GetMediaRequest.KeyOneofCase.ExternalId => await catalogue.FindByExternalIdAsync(request.ExternalId, ct),
            _ => throw Invalid("set media_id or external_id"),
        };
        return item is null
            ? throw new SearchFailedException(SearchFailure.NotFound, request.KeyCase == GetMediaRequest.KeyOneofCase.MediaId
                ? $"no media {request.MediaId} in the catalogue"
                : $"no media with external id {request.ExternalId} in the catalogue")
            : ProtoMapping.ToProto(await CatalogueEntry.OfAsync(item, store, ct));
    }

    public override async Task<ListMediaReply> ListMedia(ListMediaRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (request.PageSize < 0 || (request.PageToken.Length > 0 && !MediaId.IsValid(request.PageToken)))
        {
            throw Invalid(request.PageSize < 0 ? "page_size must not be negative" : "page_token is not one this server gave");
        }

        var filter = new CatalogueFilter(ProtoMapping.ToKind(request.Kind), request.Labels.Count == 0 ? null : request.Labels, ProtoMapping.ToStatus(request.Status));
        if (filter.Error is { } error)
        {
            throw Invalid(error);
        }

        var size = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);
        var page = await catalogue.ListPageAsync(filter, request.PageToken.Length == 0 ? null : request.PageToken, size, ct);
        var reply = new ListMediaReply { NextPageToken = page.Next ?? string.Empty };
        foreach (var item in page.Items)
        {
            reply.Items.Add(ProtoMapping.ToProto(await CatalogueEntry.OfAsync(item, store, ct)));
        }

        return reply;
    }

    private static SearchFailedException Invalid(string message) => new(SearchFailure.InvalidArgument, message);

    public override async Task WatchModel(WatchModelRequest request, IServerStreamWriter<ModelInfo> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var live = monitor.Current;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await responseStream.WriteAsync(ProtoMapping.ToModelInfo(live, await store.ListGenerationsAsync(ct)), ct);
                live = await monitor.WaitForChangeAsync(live.Version, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The caller stopped watching.
        }
    }

    public override async Task<Beats> GetBeats(GetBeatsRequest request, ServerCallContext context)
    {
        var grid = await previews.BeatsAsync(request.MediaId, context.CancellationToken);
        var reply = new Beats { MediaId = request.MediaId, DurationSeconds = grid.DurationSeconds };
        if (grid.TempoBpm is { } tempo)
        {
            reply.TempoBpm = tempo;
        }

        reply.BeatSeconds.AddRange(grid.BeatSeconds.Select(b => Math.Round(b, 4)));
        return reply;
    }

    public override async Task RenderPreview(IAsyncStreamReader<PreviewUpload> requestStream, IServerStreamWriter<PreviewPart> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct) || requestStream.Current.PartCase != PreviewUpload.PartOneofCase.Header)
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, "the first message of a preview request must be its header");
        }

        var header = requestStream.Current.Header;
        var video = header.VideoCase == PreviewHeader.VideoOneofCase.VideoMediaId
            ? PreviewVideo.Catalogue(header.VideoMediaId)
            : PreviewVideo.Uploaded(PreviewChunks(requestStream, ct));
        using var preview = await previews.RenderAsync(header.TrackId, video, ct);
        await responseStream.WriteAsync(new PreviewPart { Info = ProtoMapping.ToPreviewInfo(preview.Facts) }, ct);
        await using var file = File.OpenRead(preview.Path);
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await file.ReadAsync(buffer, ct)) > 0)
        {
            await responseStream.WriteAsync(new PreviewPart { Chunk = Google.Protobuf.ByteString.CopyFrom(buffer, 0, n) }, ct);
        }
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> PreviewChunks(IAsyncStreamReader<PreviewUpload> stream, [EnumeratorCancellation] CancellationToken ct)
    {
        while (await stream.MoveNext(ct))
        {
            if (stream.Current.PartCase != PreviewUpload.PartOneofCase.Chunk)
            {
                throw new SearchFailedException(SearchFailure.InvalidArgument, "only chunks may follow the header");
            }

            yield return stream.Current.Chunk.Memory;
        }
    }

    private async Task<SearchReply> ClipAsync(Contracts.Modality target, IAsyncStreamReader<ClipUpload> stream, CancellationToken ct)
    {
        if (!await stream.MoveNext(ct) || stream.Current.PartCase != ClipUpload.PartOneofCase.Header)
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, "the first message of a clip upload must be its header");
        }

        var template = ProtoMapping.WithOptions(new SearchQuery(target), stream.Current.Header.Options);
        return ProtoMapping.ToReply(await clips.SearchAsync(target, template, Chunks(stream, ct), ct));
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(IAsyncStreamReader<ClipUpload> stream, [EnumeratorCancellation] CancellationToken ct)
    {
        while (await stream.MoveNext(ct))
        {
            if (stream.Current.PartCase != ClipUpload.PartOneofCase.Chunk)
            {
                throw new SearchFailedException(SearchFailure.InvalidArgument, "only chunks may follow the header");
            }

            yield return stream.Current.Chunk.Memory;
        }
    }
}
