using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;

namespace VmNet.Search;

/// <summary>A query: find items of <paramref name="Target"/> modality for a catalogue item or for raw features of the other modality.</summary>
internal sealed record SearchQuery(
    Modality Target,
    string? MediaId = null,
    float[]? Features = null,
    int TopK = 0,
    SearchFilter? Filter = null,
    bool Explain = false);

/// <summary>
/// Items like one catalogue item in its own modality (music for a track, videos for a video), the item left out. The
/// item is named by <paramref name="MediaId"/> or <paramref name="ExternalId"/>; a null <paramref name="Modality"/>
/// starts from its music when it has some, else from its video.
/// </summary>
internal sealed record SimilarQuery(
    string? MediaId = null,
    string? ExternalId = null,
    Modality? Modality = null,
    int TopK = 0,
    SearchFilter? Filter = null,
    bool Explain = false);

internal sealed record SearchMatch(
    string MediaId,
    float Score,
    MediaKind? Kind,
    double? DurationSeconds,
    double? TempoBpm,
    IReadOnlyList<BlockAgreement> Explanation,
    MediaMetadata? Metadata = null);

/// <summary>An answer in which every score comes from <paramref name="ModelVersion"/>.</summary>
internal sealed record SearchAnswer(string ModelVersion, Modality Target, IReadOnlyList<SearchMatch> Matches);

/// <summary>
/// Queries without gRPC or the bus. Each query reads the live generation once, embeds (when needed) with that
/// generation's model and accepts the store's answer only if it came from the same generation; a swap in between
/// makes it start again, so no answer mixes generations.
/// </summary>
internal sealed partial class SearchEngine(
    IVectorStore store,
    IFeatureCatalogue catalogue,
    IRemovalLedger removals,
    ModelCache models,
    MatchExplainer explainer,
    IMemoryCache payloads,
    IOptions<SearchOptions> options,
    ILogger<SearchEngine> logger)
{
    private const int SwapAttempts = 5;

    // Kind, duration, tempo and metadata change only on re-ingest: a short cache spares a catalogue read per hit per query.
    private static readonly TimeSpan PayloadLifetime = TimeSpan.FromSeconds(30);

    /// <summary>The modality of the query that finds <paramref name="target"/>.</summary>
    public static Modality QueryModality(Modality target) => target == Modality.Music ? Modality.Video : Modality.Music;

    public string? LiveGeneration => store.LiveGeneration;

    public async Task<SearchAnswer> SearchAsync(SearchQuery query, CancellationToken cancellationToken)
    {
        var k = Validate(query);
        for (var attempt = 1; ; attempt++)
        {
            var generation = store.LiveGeneration
                ?? throw new SearchFailedException(SearchFailure.Unavailable, "no model is live yet: train and activate one first");
            var (vector, raw) = await QueryVectorAsync(query, generation, cancellationToken);
            var result = await SearchWithoutRemovedAsync(query, vector, k, cancellationToken);
            if (result.Generation == generation)
            {
                return new SearchAnswer(generation, query.Target, await MatchesAsync(query, generation, raw, result.Hits, cancellationToken));
            }

            LogSwapDuringQuery(generation, result.Generation, attempt);
            if (attempt >= SwapAttempts)
            {
                throw new SearchFailedException(SearchFailure.Unavailable, "the live model kept changing during the query; try again");
            }
        }
    }

    /// <summary>Answers a <see cref="SimilarQuery"/> from the live generation; the answer's target is the item's own modality.</summary>
    public async Task<SearchAnswer> SimilarAsync(SimilarQuery query, CancellationToken cancellationToken)
    {
        var k = ValidateOptions(query.TopK, query.Filter);
        if (query.Modality is { } wanted && !Enum.IsDefined(wanted))
        {
            throw Invalid("modality is not a known modality");
        }

        var mediaId = await ResolveAsync(query, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var generation = store.LiveGeneration
                ?? throw new SearchFailedException(SearchFailure.Unavailable, "no model is live yet: train and activate one first");
            var (modality, vector, raw) = await ItemVectorAsync(mediaId, query.Modality, query.Explain, generation, cancellationToken);

            // One more than wanted, so leaving the item out still leaves k (the store filters; the item may not pass).
            // Taken-down items leave the answer as in every search, and a taken-down item has no neighbours.
            var asSearch = new SearchQuery(modality, MediaId: mediaId, TopK: k, Filter: query.Filter, Explain: query.Explain);
            var result = await SearchWithoutRemovedAsync(asSearch, vector, k + 1, cancellationToken);
            if (result.Generation == generation)
            {
                var hits = result.Hits.Where(h => h.MediaId != mediaId).Take(k).ToList();
                return new SearchAnswer(generation, modality, await MatchesAsync(asSearch, generation, raw, hits, cancellationToken, modality));
            }

            LogSwapDuringQuery(generation, result.Generation, attempt);
            if (attempt >= SwapAttempts)
            {
                throw new SearchFailedException(SearchFailure.Unavailable, "the live model kept changing during the query; try again");
            }
        }
    }

    private async Task<string> ResolveAsync(SimilarQuery query, CancellationToken cancellationToken)
    {
        if ((query.MediaId is null) == (query.ExternalId is null))
        {
            throw Invalid("give exactly one of a media id or an external id");
        }

        if (query.MediaId is { } id)
        {
            return MediaId.IsValid(id) ? id : throw Invalid($"'{Shorten(id)}' is not a media id (32 lower-case hex characters)");
        }

        if (MediaLabels.ExternalIdError(query.ExternalId) is { } error)
        {
            throw Invalid(error);
        }

        return (await catalogue.FindByExternalIdAsync(query.ExternalId!, cancellationToken))?.MediaId
            ?? throw new SearchFailedException(SearchFailure.NotFound, $"no media with external id {query.ExternalId} in the catalogue");
    }

    // The item's own vector in the generation (its half of the wanted modality, else the half it has), and its raw features.
    private async Task<(Modality Modality, float[] Vector, float[]? Raw)> ItemVectorAsync(
        string mediaId, Modality? wanted, bool explain, string generation, CancellationToken cancellationToken)
    {
        Modality[] halves = wanted is { } w ? [w] : [Modality.Music, Modality.Video];
        foreach (var half in halves)
        {
            if (await store.GetVectorAsync(generation, half, mediaId, cancellationToken) is { } stored)
            {
                var raw = explain ? RawOf(await catalogue.GetAsync(mediaId, cancellationToken), half) : null;
                return (half, stored, raw);
            }
        }

        // Catalogued but not embedded into this generation (yet): embed the half here, as a query by id does.
        var item = await catalogue.GetAsync(mediaId, cancellationToken)
            ?? throw new SearchFailedException(SearchFailure.NotFound, $"no media {mediaId} in the catalogue");
        foreach (var half in halves)
        {
            if (RawOf(item, half) is { } features)
            {
                return (half, Embed(models.Get(generation), half, features), features);
            }
        }

        throw new SearchFailedException(SearchFailure.NotFound, wanted is { } m
            ? $"media {mediaId} has no {Name(m)} to search with"
            : $"media {mediaId} has no features to search with yet");
    }

    private static float[]? RawOf(CatalogueItem? item, Modality modality) =>
        modality == Modality.Music ? item?.MusicFeatures : item?.VideoFeatures;

    /// <summary>
    /// The store's answer without tombstoned items (a takedown hides an item from the moment its tombstone is written,
    /// before its vectors are gone, and from a search process whose in-process index has not heard of it). One look-up
    /// per answer; when some hits were removed, the store is asked for as many more (a few times at most: the purge
    /// deletes the vectors moments after the tombstone). A query by a removed item's id is not found.
    /// </summary>
    private async Task<VectorSearchResult> SearchWithoutRemovedAsync(SearchQuery query, float[] vector, int k, CancellationToken cancellationToken)
    {
        var fetch = k;
        for (var round = 1; ; round++)
        {
            var result = await store.SearchAsync(query.Target, vector, fetch, query.Filter, cancellationToken);
            List<string> ids = [.. result.Hits.Select(h => h.MediaId)];
            if (query.MediaId is { } asked)
            {
                ids.Add(asked);
            }

            var removed = await removals.RemovedAmongAsync(ids, cancellationToken);
            if (removed.Count == 0)
            {
                return result;
            }

            if (query.MediaId is not null && removed.Contains(query.MediaId))
            {
                throw new SearchFailedException(SearchFailure.NotFound, $"media {query.MediaId} was removed");
            }

            if (round >= 3 || result.Hits.Count < fetch)
            {
                return result with { Hits = [.. result.Hits.Where(h => !removed.Contains(h.MediaId)).Take(k)] };
            }

            fetch += removed.Count;
        }
    }

    private int Validate(SearchQuery query)
    {
        if ((query.MediaId is null) == (query.Features is null))
        {
            throw Invalid("give exactly one of a media id or raw features");
        }

        if (query.MediaId is not null && !MediaId.IsValid(query.MediaId))
        {
            throw Invalid($"'{Shorten(query.MediaId)}' is not a media id (32 lower-case hex characters)");
        }

        if (query.Features is { } features && features.Any(f => !float.IsFinite(f)))
        {
            throw Invalid("features must be finite numbers");
        }

        return ValidateOptions(query.TopK, query.Filter);
    }

    // Options every search takes, checked before any search; returns the number of results to ask for.
    private int ValidateOptions(int topK, SearchFilter? filter)
    {
        if (filter is { } f)
        {
            // Refused before any search: NaN compares false with everything, so an unchecked NaN bound passed the
            // min/max test and turned the query into an exact scan under the store's read lock.
            foreach (var (name, value) in new[]
            {
                ("min_duration_seconds", f.MinDurationSeconds), ("max_duration_seconds", f.MaxDurationSeconds),
                ("min_tempo_bpm", f.MinTempoBpm), ("max_tempo_bpm", f.MaxTempoBpm),
            })
            {
                if (value is { } v && (!double.IsFinite(v) || v < 0))
                {
                    throw Invalid($"filter {name} must be a finite number of at least 0");
                }
            }

            if (f.MinDurationSeconds > f.MaxDurationSeconds || f.MinTempoBpm > f.MaxTempoBpm)
            {
                throw Invalid("filter minimum above its maximum");
            }

            if (f.Kind is { } kind && !Enum.IsDefined(kind))
            {
                throw Invalid("filter kind is not a known kind");
            }

            if (MediaLabels.LabelsError(f.Labels) is { } labels)
            {
                throw Invalid("filter " + labels);
            }
        }

        if (topK < 0)
        {
            throw Invalid("top_k must not be negative");
        }

        return topK == 0 ? options.Value.DefaultTopK : Math.Min(topK, options.Value.MaxTopK);
    }

    // The query in the generation's space, and its raw features when an explanation needs them.
    private async Task<(float[] Vector, float[]? Raw)> QueryVectorAsync(SearchQuery query, string generation, CancellationToken cancellationToken)
    {
        var modality = QueryModality(query.Target);
        if (query.Features is { } features)
        {
            var model = models.Get(generation);
            var expected = modality == Modality.Music ? model.Manifest.MusicInputDim : model.Manifest.VideoInputDim;
            if (features.Length != expected)
            {
                throw Invalid($"model {generation} takes {expected} {Name(modality)} features, got {features.Length}");
            }

            return (Embed(model, modality, features), features);
        }

        var mediaId = query.MediaId!;
        var stored = await store.GetVectorAsync(generation, modality, mediaId, cancellationToken);
        CatalogueItem? item = null;
        if (stored is null || query.Explain)
        {
            item = await catalogue.GetAsync(mediaId, cancellationToken);
        }

        var raw = modality == Modality.Music ? item?.MusicFeatures : item?.VideoFeatures;
        if (stored is not null)
        {
            return (stored, raw);
        }

        if (item is null)
        {
            throw new SearchFailedException(SearchFailure.NotFound, $"no media {mediaId} in the catalogue");
        }

        if (raw is null)
        {
            throw new SearchFailedException(SearchFailure.NotFound, $"media {mediaId} has no {Name(modality)} to search with");
        }

        // Catalogued but not yet embedded into this generation: embed it here.
        return (Embed(models.Get(generation), modality, raw), raw);
    }

    private async Task<IReadOnlyList<SearchMatch>> MatchesAsync(
        SearchQuery query, string generation, float[]? raw, IReadOnlyList<VectorHit> hits, CancellationToken cancellationToken, Modality? queryModality = null)
    {
        var items = new Payload?[hits.Count];
        var full = new CatalogueItem?[hits.Count];
        var explain = query.Explain && raw is not null && hits.Count > 0;
        for (var i = 0; i < hits.Count; i++)
        {
            var id = hits[i].MediaId;
            if (!explain && payloads.TryGetValue(id, out Payload? cached))
            {
                items[i] = cached;
                continue;
            }

            full[i] = await catalogue.GetAsync(id, cancellationToken);
            items[i] = full[i] is { } item ? new Payload(item.Kind, item.DurationSeconds, item.TempoBpm, item.Metadata) : null;
            payloads.Set(id, items[i], PayloadLifetime);
        }

        IReadOnlyList<IReadOnlyList<BlockAgreement>>? explanations = null;
        if (explain)
        {
            var targetRaw = full.Select(it => query.Target == Modality.Music ? it?.MusicFeatures : it?.VideoFeatures).ToList();
            explanations = await explainer.ExplainAsync(
                models.Get(generation), queryModality ?? QueryModality(query.Target), raw!, targetRaw, cancellationToken, query.Target);
        }

        return [.. hits.Select((h, i) => new SearchMatch(
            h.MediaId, h.Score, items[i]?.Kind, items[i]?.DurationSeconds, items[i]?.TempoBpm, explanations?[i] ?? [], items[i]?.Metadata))];
    }

    private sealed record Payload(MediaKind Kind, double DurationSeconds, double? TempoBpm, MediaMetadata? Metadata);

    private static float[] Embed(IEmbeddingModel model, Modality modality, float[] features) =>
        (modality == Modality.Music ? model.EmbedMusic([features]) : model.EmbedVideo([features]))[0];

    private static string Name(Modality modality) => modality == Modality.Music ? "music" : "video";

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static SearchFailedException Invalid(string message) => new(SearchFailure.InvalidArgument, message);

    [LoggerMessage(5010, LogLevel.Information, "Live model changed from {Expected} to {Got} during a query (attempt {Attempt}); asking again")]
    private partial void LogSwapDuringQuery(string expected, string got, int attempt);
}
