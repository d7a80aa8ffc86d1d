using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VmNet.Media;
using VmNet.Search.Grpc;
using VmNet.Search.Preview;
using Contracts = VmNet.Contracts;
using V1 = VmNet.Search.V1;

namespace VmNet.Search.Web;

/// <summary>
/// The web page (static files embedded in this assembly: no build step at run time) and the two HTTP endpoints JSON
/// transcoding cannot provide, because they take an upload: music for a clip, and a preview. Both take the clip as the
/// raw request body, need the query key like the gRPC queries, and answer errors as transcoding does: the HTTP status
/// of the gRPC code and <c>{"code", "message"}</c>.
/// </summary>
internal static class WebApi
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    private static readonly Dictionary<string, string> Files = new()
    {
        ["/"] = "index.html", ["/app.js"] = "app.js", ["/app.css"] = "app.css",
    };

    public static void MapSearchWeb(this WebApplication app)
    {
        foreach (var (route, file) in Files)
        {
            app.MapGet(route, () => Page(file));
        }

        app.MapPost("/v1/clips:findMusic", FindMusicForClipAsync);
        app.MapPost("/v1/previews", PreviewAsync);
    }

    private static IResult Page(string file)
    {
        var stream = typeof(WebApi).Assembly.GetManifestResourceStream($"VmNet.Search.Web.{file}")
            ?? throw new InvalidOperationException($"page file {file} is not embedded");
        var type = Path.GetExtension(file) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            _ => "text/css; charset=utf-8",
        };
        return Results.Stream(stream, type);
    }

    private static async Task FindMusicForClipAsync(HttpContext context, ClipSearch clips, IOptionsMonitor<SearchOptions> options)
    {
        await AnswerAsync(context, options.CurrentValue, async ct =>
        {
            var query = context.Request.Query;
            var filter = new V1.Filter();
            if (Number(query, "minTempoBpm") is { } minTempo)
            {
                filter.MinTempoBpm = minTempo;
            }

            if (Number(query, "maxTempoBpm") is { } maxTempo)
            {
                filter.MaxTempoBpm = maxTempo;
            }

            if (Number(query, "minDurationSeconds") is { } minDuration)
            {
                filter.MinDurationSeconds = minDuration;
            }

            if (Number(query, "maxDurationSeconds") is { } maxDuration)
            {
                filter.MaxDurationSeconds = maxDuration;
            }

            if (query["kind"].ToString() is { Length: > 0 } kind)
            {
                filter.Kind = Enum.TryParse<V1.MediaKind>(kind, ignoreCase: true, out var k) ? k
                    : throw new SearchFailedException(SearchFailure.InvalidArgument, "kind must be Pair, Video or Music");
            }

            // Repeatable, all required: ?label=mood=calm&label=genre=rock (as the CLI's --label).
            filter.Labels.AddRange(query["label"].OfType<string>());
            var options = new V1.QueryOptions { TopK = (int)(Number(query, "topK") ?? 0), Explain = query["explain"] == "true", Filter = filter };
            var template = ProtoMapping.WithOptions(new SearchQuery(Contracts.Modality.Music), options);
            var answer = await clips.SearchAsync(Contracts.Modality.Music, template, Body(context, ct), ct);
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(Json.Format(ProtoMapping.ToReply(answer)), ct);
        });
    }

    private static async Task PreviewAsync(HttpContext context, PreviewRenderer previews, IOptionsMonitor<SearchOptions> options)
    {
        await AnswerAsync(context, options.CurrentValue, async ct =>
        {
            var track = context.Request.Query["track"].ToString();
            var videoId = context.Request.Query["video"].ToString();
            var video = videoId.Length > 0 ? PreviewVideo.Catalogue(videoId) : PreviewVideo.Uploaded(Body(context, ct));
            using var preview = await previews.RenderAsync(track, video, ct);
            context.Response.ContentType = RenderedPreview.ContentType;
            context.Response.Headers["x-preview-info"] = Json.Format(ProtoMapping.ToPreviewInfo(preview.Facts));
            await context.Response.SendFileAsync(preview.Path, ct);
        });
    }

    private static async Task AnswerAsync(HttpContext context, SearchOptions options, Func<CancellationToken, Task> handle)
    {
        var ct = context.RequestAborted;
        try
        {
            if (!string.IsNullOrEmpty(options.QueryApiKey) && !KeyMatches(context.Request.Headers[SearchServerInterceptor.ApiKeyHeader].ToString(), options.QueryApiKey))
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated, $"query calls need a valid {SearchServerInterceptor.ApiKeyHeader} header"));
            }

            // The type the browser declares is a first, cheap check; ffprobe decides what the bytes really are.
            var type = context.Request.ContentType;
            if (context.Request.Query["video"].Count == 0 && !string.IsNullOrEmpty(type)
                && !type.StartsWith("video/", StringComparison.OrdinalIgnoreCase) && !type.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase))
            {
                await ErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, StatusCode.InvalidArgument, $"expected a video file, not {type}");
                return;
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                // One chunk past the limit, so the upload's own check answers with the limit rather than Kestrel's 413.
                size.MaxRequestBodySize = options.MaxClipBytes + (64 * 1024);
            }

            await handle(ct);
        }
        catch (SearchFailedException e)
        {
            var code = e.Failure switch
            {
                SearchFailure.InvalidArgument => StatusCode.InvalidArgument,
                SearchFailure.NotFound => StatusCode.NotFound,
                SearchFailure.ResourceExhausted => StatusCode.ResourceExhausted,
                SearchFailure.FailedPrecondition => StatusCode.FailedPrecondition,
                _ => StatusCode.Unavailable,
            };
            await ErrorAsync(context, HttpStatus(code), code, e.Message);
        }
        catch (Exception e) when (e is MediaDecodeException or UnsafePathException)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, StatusCode.InvalidArgument, e.Message);
        }
        catch (RpcException e)
        {
            await ErrorAsync(context, HttpStatus(e.StatusCode), e.StatusCode, e.Status.Detail);
        }
    }

    private static bool KeyMatches(string sent, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(expected));

    private static int HttpStatus(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition => StatusCodes.Status400BadRequest,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    private static async Task ErrorAsync(HttpContext context, int status, StatusCode code, string message)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new { code = (int)code, message }, CancellationToken.None);
    }

    private static double? Number(IQueryCollection query, string name)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new SearchFailedException(SearchFailure.InvalidArgument, $"{name} must be a number");
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Body(HttpContext context, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await context.Request.Body.ReadAsync(buffer, ct)) > 0)
        {
            yield return buffer.AsMemory(0, n);
        }
    }
}
