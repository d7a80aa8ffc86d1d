using System.Collections.Immutable;
using VmNet.Catalogue;
using VmNet.Media;
using V1 = VmNet.Search.V1;
using Contracts = VmNet.Contracts;

namespace VmNet.Search.Grpc;

/// <summary>Between the wire types of <c>vmnet.search.v1</c> and the engine's records.</summary>
internal static class ProtoMapping
{
    public static SearchQuery ToQuery(Contracts.Modality target, V1.SearchRequest request) => request.QueryCase switch
    {
        V1.SearchRequest.QueryOneofCase.MediaId => WithOptions(new SearchQuery(target, MediaId: request.MediaId), request.Options),
        V1.SearchRequest.QueryOneofCase.Features => WithOptions(new SearchQuery(target, Features: [.. request.Features.Values]), request.Options),
        _ => throw new SearchFailedException(SearchFailure.InvalidArgument, "set media_id or features"),
    };

    public static SearchQuery WithOptions(SearchQuery query, V1.QueryOptions? options) => options is null
        ? query
        : query with { TopK = options.TopK, Filter = ToFilter(options.Filter), Explain = options.Explain };

    public static SearchFilter? ToFilter(V1.Filter? filter) => filter is null
        ? null
        : new SearchFilter(
            filter.HasMinDurationSeconds ? filter.MinDurationSeconds : null,
            filter.HasMaxDurationSeconds ? filter.MaxDurationSeconds : null,
            filter.HasMinTempoBpm ? filter.MinTempoBpm : null,
            filter.HasMaxTempoBpm ? filter.MaxTempoBpm : null,
            ToKind(filter.Kind),
            ToLabels(filter.Labels));

    /// <summary>"key=value" strings as labels; INVALID_ARGUMENT when one is not a pair or the set breaks ingest's rules.</summary>
    public static IReadOnlyDictionary<string, string>? ToLabels(IReadOnlyCollection<string> pairs)
    {
        // Counted before any parsing: a request with a million labels costs one comparison.
        if (pairs.Count > MediaLabels.MaxLabels)
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, $"filter has {pairs.Count} labels, at most {MediaLabels.MaxLabels} allowed");
        }

        try
        {
            return MediaLabels.Parse(pairs);
        }
        catch (FormatException e)
        {
            throw new SearchFailedException(SearchFailure.InvalidArgument, "filter " + e.Message);
        }
    }

    public static SimilarQuery ToSimilar(V1.FindSimilarRequest request)
    {
        var query = request.KeyCase switch
        {
            V1.FindSimilarRequest.KeyOneofCase.MediaId => new SimilarQuery(MediaId: request.MediaId),
            V1.FindSimilarRequest.KeyOneofCase.ExternalId => new SimilarQuery(ExternalId: request.ExternalId),
            _ => throw new SearchFailedException(SearchFailure.InvalidArgument, "set media_id or external_id"),
        };
        query = query with
        {
            Modality = request.Modality switch
            {
                V1.Modality.Music => Contracts.Modality.Music,
                V1.Modality.Video => Contracts.Modality.Video,
                V1.Modality.Unspecified => null,
                _ => throw new SearchFailedException(SearchFailure.InvalidArgument, "modality must be MODALITY_MUSIC or MODALITY_VIDEO"),
            },
        };
        return request.Options is { } options
            ? query with { TopK = options.TopK, Filter = ToFilter(options.Filter), Explain = options.Explain }
            : query;
    }

    public static Contracts.MediaKind? ToKind(V1.MediaKind kind) => kind switch
    {
        V1.MediaKind.Pair => Contracts.MediaKind.Pair,
        V1.MediaKind.Video => Contracts.MediaKind.Video,
        V1.MediaKind.Music => Contracts.MediaKind.Music,
        _ => null,
    };

    public static V1.MediaKind ToProto(Contracts.MediaKind? kind) => kind switch
    {
        Contracts.MediaKind.Pair => V1.MediaKind.Pair,
        Contracts.MediaKind.Video => V1.MediaKind.Video,
        Contracts.MediaKind.Music => V1.MediaKind.Music,
        _ => V1.MediaKind.Unspecified,
    };

    public static V1.Modality ToProto(Contracts.Modality modality) =>
        modality == Contracts.Modality.Music ? V1.Modality.Music : V1.Modality.Video;

    public static V1.SearchReply ToReply(SearchAnswer answer)
    {
        var reply = new V1.SearchReply { ModelVersion = answer.ModelVersion, Target = ToProto(answer.Target) };
        foreach (var m in answer.Matches)
        {
            var match = new V1.Match { MediaId = m.MediaId, Score = m.Score, Kind = ToProto(m.Kind), DurationSeconds = m.DurationSeconds ?? 0 };
            if (m.TempoBpm is { } tempo)
            {
                match.TempoBpm = tempo;
            }

            if (m.Metadata is { } about)
            {
                match.Source = about.Source ?? string.Empty;
                match.Title = about.Title ?? string.Empty;
                match.Artist = about.Artist ?? string.Empty;
                match.Album = about.Album ?? string.Empty;
                match.ExternalId = about.ExternalId ?? string.Empty;
                foreach (var (key, value) in about.Labels ?? ImmutableDictionary<string, string>.Empty)
                {
                    match.Labels[key] = value;
                }
            }

            match.Explanation.AddRange(m.Explanation.Select(a => new V1.BlockAgreement { Modality = ToProto(a.Modality), Block = a.Block, Contribution = a.Contribution }));
            reply.Matches.Add(match);
        }

        return reply;
    }

    public static V1.PreviewInfo ToPreviewInfo(Preview.PreviewFacts facts)
    {
        var info = new V1.PreviewInfo
        {
            TrackId = facts.TrackId,
            VideoSeconds = facts.VideoSeconds,
            TrackStartSeconds = facts.TrackStartSeconds,
            Looped = facts.Looped,
            SizeBytes = facts.SizeBytes,
            MusicSeconds = facts.MusicSeconds,
            ContentType = Preview.RenderedPreview.ContentType,
        };
        if (facts.TempoBpm is { } tempo)
        {
            info.TempoBpm = tempo;
        }

        return info;
    }

    public static V1.MediaItem ToProto(CatalogueEntry entry)
    {
        var item = entry.Item;
        var about = item.Metadata ?? new Contracts.MediaMetadata();
        var proto = new V1.MediaItem
        {
            MediaId = item.MediaId,
            Kind = ToProto(item.Kind),
            DurationSeconds = item.DurationSeconds,
            Source = about.Source ?? string.Empty,
            Title = about.Title ?? string.Empty,
            Artist = about.Artist ?? string.Empty,
            Album = about.Album ?? string.Empty,
            ExternalId = about.ExternalId ?? string.Empty,
            Status = ToProto(entry.Status),
            Music = ToProto(entry.Music),
            Video = ToProto(entry.Video),
            ModelVersion = entry.Model ?? string.Empty,
            UpdatedUnixMs = item.UpdatedAt.ToUnixTimeMilliseconds(),
        };
        if (item.TempoBpm is { } tempo)
        {
            proto.TempoBpm = tempo;
        }

        foreach (var (key, value) in about.Labels ?? ImmutableDictionary<string, string>.Empty)
        {
            proto.Labels[key] = value;
        }

        return proto;
    }

    public static V1.MediaStatus ToProto(CatalogueStatus status) => status switch
    {
        CatalogueStatus.Ready => V1.MediaStatus.Ready,
        CatalogueStatus.Failed => V1.MediaStatus.Failed,
        _ => V1.MediaStatus.Pending,
    };

    public static CatalogueStatus? ToStatus(V1.MediaStatus status) => status switch
    {
        V1.MediaStatus.Pending => CatalogueStatus.Pending,
        V1.MediaStatus.Ready => CatalogueStatus.Ready,
        V1.MediaStatus.Failed => CatalogueStatus.Failed,
        _ => null,
    };

    private static V1.MediaHalf ToProto(HalfState half) => new()
    {
        HasFeatures = half.HasFeatures,
        Embedded = half.Embedded,
        ExtractorVersion = half.ExtractorVersion ?? string.Empty,
        Failure = half.Failure?.Reason ?? string.Empty,
        FailedUnixMs = half.Failure?.FailedAt.ToUnixTimeMilliseconds() ?? 0,
    };

    public static V1.ModelInfo ToModelInfo(LiveModel live, IReadOnlyList<GenerationInfo> generations)
    {
        var info = new V1.ModelInfo
        {
            LiveVersion = live.Version ?? string.Empty,
            MusicInputDim = live.Manifest?.MusicInputDim ?? 0,
            VideoInputDim = live.Manifest?.VideoInputDim ?? 0,
            EmbeddingDim = live.Manifest?.EmbeddingDim ?? 0,
            ObservedUnixMs = live.ObservedAt.ToUnixTimeMilliseconds(),
        };
        foreach (var (key, value) in live.Manifest?.Metrics ?? new Dictionary<string, double>())
        {
            info.Metrics[key] = value;
        }

        info.Generations.AddRange(generations.Select(g => new V1.Generation
        {
            Version = g.Generation,
            Dimension = g.Dimension,
            MusicCount = g.MusicCount,
            VideoCount = g.VideoCount,
            Live = g.IsLive,
            CreatedUnixMs = g.CreatedAt.ToUnixTimeMilliseconds(),
        }));
        return info;
    }
}
