using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Qdrant.Client;
using Qdrant.Client.Grpc;
using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Storage;

/// <summary>
/// <see cref="IVectorStore"/> on a Qdrant server. Queries go to the concrete collection of the live generation read
/// once per query (the alias is re-read every few seconds, and at once on <see cref="ActivateAsync"/> and
/// <see cref="ReadLiveGenerationAsync"/>), so an answer always names the one generation that produced it. The alias
/// itself is what other clients follow.
/// </summary>
public sealed partial class QdrantVectorStore : IVectorStore, IDisposable
{
    private static readonly TimeSpan AliasRefresh = TimeSpan.FromSeconds(2);
    private readonly QdrantClient _client;
    private readonly QdrantRequests _requests;
    private readonly ILogger<QdrantVectorStore> _logger;
    private readonly Lock _gate = new();
    private (string? Generation, DateTime ReadAt) _live = (null, DateTime.MinValue);

    public QdrantVectorStore(IOptions<VectorStoreOptions> options, ILogger<QdrantVectorStore> logger)
        : this(new QdrantClient(new Uri(options.Value.Qdrant.Url ?? throw new InvalidOperationException("VectorStore:Qdrant:Url is not set")), options.Value.Qdrant.ApiKey), options.Value.Qdrant.Prefix, logger)
    {
    }

    public QdrantVectorStore(QdrantClient client, string prefix, ILogger<QdrantVectorStore> logger)
    {
        _client = client;
        _requests = new QdrantRequests(prefix);
        _logger = logger;
    }

    public string? LiveGeneration
    {
        get
        {
            lock (_gate)
            {
                if (DateTime.UtcNow - _live.ReadAt < AliasRefresh)
                {
                    return _live.Generation;
                }
            }

            return ReadLiveGenerationAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    public async Task<string?> ReadLiveGenerationAsync(CancellationToken cancellationToken)
    {
        var generation = await ReadLiveAsync(cancellationToken);
        lock (_gate)
        {
            _live = (generation, DateTime.UtcNow);
        }

        return generation;
    }

    public async Task CreateGenerationAsync(string generation, int dimension, CancellationToken cancellationToken)
    {
        var name = _requests.CollectionName(generation);
        if (await _client.CollectionExistsAsync(name, cancellationToken))
        {
            var existing = await DimensionOfAsync(name, cancellationToken);
            if (existing != dimension)
            {
                throw new InvalidOperationException($"generation {generation} exists with dimension {existing}, not {dimension}");
            }

            return;
        }

        await _client.CreateCollectionAsync(_requests.CreateCollection(generation, dimension, DateTimeOffset.UtcNow), cancellationToken);
        await _client.CreatePayloadIndexAsync(name, QdrantRequests.LabelsField, PayloadSchemaType.Keyword, cancellationToken: cancellationToken);
        LogCreated(generation, dimension);
    }

    public async Task UpsertAsync(string generation, IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        var name = _requests.CollectionName(generation);
        var dimension = await DimensionOfAsync(name, cancellationToken);
        var normalized = records.Select(r => r with { Vector = VectorMath.Normalized(r.Vector, dimension) });
        await _client.UpsertAsync(_requests.Upsert(generation, normalized), cancellationToken);
    }

    public async Task ActivateAsync(string generation, CancellationToken cancellationToken)
    {
        var name = _requests.CollectionName(generation);
        if (!await _client.CollectionExistsAsync(name, cancellationToken))
        {
            throw new KeyNotFoundException($"no generation '{generation}'; create it first");
        }

        var aliases = await _client.ListAliasesAsync(cancellationToken);
        var exists = aliases.Any(a => a.AliasName == _requests.LiveAlias);
        await _client.UpdateAliasesAsync(_requests.Activate(generation, exists), cancellationToken: cancellationToken);
        lock (_gate)
        {
            _live = (generation, DateTime.UtcNow);
        }

        LogActivated(generation);
    }

    public async Task DropGenerationAsync(string generation, CancellationToken cancellationToken)
    {
        var name = _requests.CollectionName(generation);
        if (await ReadLiveGenerationAsync(cancellationToken) == generation)
        {
            throw new InvalidOperationException($"generation {generation} is live: it cannot be dropped");
        }

        if (await _client.CollectionExistsAsync(name, cancellationToken))
        {
            await _client.DeleteCollectionAsync(name, cancellationToken: cancellationToken);
            LogDropped(generation);
        }
    }

    public async Task<IReadOnlyList<GenerationInfo>> ListGenerationsAsync(CancellationToken cancellationToken)
    {
        var live = await ReadLiveAsync(cancellationToken);
        var result = new List<GenerationInfo>();
        foreach (var collection in await _client.ListCollectionsAsync(cancellationToken))
        {
            if (_requests.GenerationOf(collection) is not { } generation)
            {
                continue;
            }

            var info = await _client.GetCollectionInfoAsync(collection, cancellationToken);
            var metadata = info.Config.Metadata;
            var created = metadata.TryGetValue(QdrantRequests.CreatedMetadata, out var c) && c.HasStringValue
                ? DateTimeOffset.Parse(c.StringValue, CultureInfo.InvariantCulture)
                : DateTimeOffset.MinValue;
            var music = await _client.CountAsync(collection, QdrantRequests.ModalityFilter(Modality.Music), exact: true, cancellationToken: cancellationToken);
            var video = await _client.CountAsync(collection, QdrantRequests.ModalityFilter(Modality.Video), exact: true, cancellationToken: cancellationToken);
            result.Add(new GenerationInfo(generation, await DimensionOfAsync(collection, cancellationToken), (long)music, (long)video, generation == live, created));
        }

        return [.. result.OrderBy(g => g.CreatedAt)];
    }

    public async Task<int> DeleteMediaAsync(IReadOnlyCollection<string> mediaIds, CancellationToken cancellationToken)
    {
        var points = QdrantRequests.PointIds(mediaIds);
        if (points.Count == 0)
        {
            return 0;
        }

        var deleted = 0;
        // Every collection of ours: the live one, older ones kept for rollback and one being built.
        foreach (var collection in await _client.ListCollectionsAsync(cancellationToken))
        {
            if (_requests.GenerationOf(collection) is null)
            {
                continue;
            }

            var present = await _client.RetrieveAsync(collection, [.. points.Select(p => new PointId { Uuid = p.ToString() })], withPayload: false, withVectors: false, cancellationToken: cancellationToken);
            await _client.DeleteAsync(collection, points, wait: true, cancellationToken: cancellationToken);
            deleted += present.Count;
        }

        return deleted;
    }

    public async Task<float[]?> GetVectorAsync(string generation, Modality modality, string mediaId, CancellationToken cancellationToken)
    {
        var points = await _client.RetrieveAsync(
            _requests.CollectionName(generation), QdrantRequests.PointId(modality, mediaId), withPayload: false, withVectors: true, cancellationToken: cancellationToken);
        return points.Count == 0 || !points[0].Vectors.Vectors.Vectors.TryGetValue(QdrantRequests.VectorName(modality), out var vector)
            ? null
            : vector.GetDenseVector()?.Data.ToArray();
    }

    public Task<VectorSearchResult> SearchAsync(Modality target, float[] query, int k, SearchFilter? filter, CancellationToken cancellationToken) =>
        SearchAsync(target, query, k, filter, exact: false, cancellationToken);

    public Task<VectorSearchResult> SearchExactAsync(Modality target, float[] query, int k, SearchFilter? filter, CancellationToken cancellationToken) =>
        SearchAsync(target, query, k, filter, exact: true, cancellationToken);

    public void Dispose() => _client.Dispose();

    private async Task<VectorSearchResult> SearchAsync(Modality target, float[] query, int k, SearchFilter? filter, bool exact, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var generation = LiveGeneration ?? throw new InvalidOperationException("no model generation is live yet: nothing is searchable");
        var collection = _requests.CollectionName(generation);
        var unit = VectorMath.Normalized(query, await DimensionOfAsync(collection, cancellationToken));
        var points = await _client.QueryAsync(
            collection, unit, usingVector: QdrantRequests.VectorName(target), filter: QdrantRequests.Filter(target, filter),
            searchParams: new SearchParams { Exact = exact }, limit: (ulong)k,
            payloadSelector: new WithPayloadSelector { Include = new PayloadIncludeSelector { Fields = { QdrantRequests.MediaIdField } } },
            cancellationToken: cancellationToken);
        var hits = points.Select(p => new VectorHit(p.Payload[QdrantRequests.MediaIdField].StringValue, p.Score));
        return new VectorSearchResult(generation, VectorMath.Ordered(hits));
    }

    private async Task<string?> ReadLiveAsync(CancellationToken cancellationToken)
    {
        var aliases = await _client.ListAliasesAsync(cancellationToken);
        var alias = aliases.FirstOrDefault(a => a.AliasName == _requests.LiveAlias);
        return alias is null ? null : _requests.GenerationOf(alias.CollectionName);
    }

    private async Task<int> DimensionOfAsync(string collection, CancellationToken cancellationToken)
    {
        var info = await _client.GetCollectionInfoAsync(collection, cancellationToken);
        return (int)info.Config.Params.VectorsConfig.ParamsMap.Map[QdrantRequests.VectorName(Modality.Music)].Size;
    }

    [LoggerMessage(4201, LogLevel.Information, "Qdrant generation {Generation} created (dimension {Dimension})")]
    private partial void LogCreated(string generation, int dimension);

    [LoggerMessage(4202, LogLevel.Information, "Qdrant alias now points at generation {Generation}")]
    private partial void LogActivated(string generation);

    [LoggerMessage(4203, LogLevel.Information, "Qdrant generation {Generation} deleted")]
    private partial void LogDropped(string generation);
}
