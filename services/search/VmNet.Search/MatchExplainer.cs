using System.Numerics.Tensors;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Search;

/// <summary>How much one block of one side's raw features drives a match's score.</summary>
internal sealed record BlockAgreement(Modality Modality, string Block, float Contribution);

/// <summary>
/// Explains matches by occlusion: a block of the query's (or the result's) raw features is replaced by the
/// catalogue mean of that block and both sides are embedded again; the drop in cosine similarity is that block's
/// contribution. The mean is "no information" to the model, whose graph standardises its inputs, so a large drop
/// means the match rests on that block. Cross-modal blocks cannot be compared value by value; the model relates them.
/// </summary>
internal sealed class MatchExplainer(IFeatureCatalogue catalogue, FeatureLayouts layouts, IOptions<SearchOptions> options, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Dictionary<(Modality, int), (DateTimeOffset At, float[] Mean)> _means = [];

    /// <summary>
    /// Per result (same order), the blocks that agree most, strongest first; empty where a result has no raw features.
    /// Results are of the other modality unless <paramref name="resultModality"/> says otherwise (similar items).
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<BlockAgreement>>> ExplainAsync(
        IEmbeddingModel model, Modality queryModality, float[] query, IReadOnlyList<float[]?> results, CancellationToken cancellationToken,
        Modality? resultModality = null)
    {
        var targetModality = resultModality ?? (queryModality == Modality.Music ? Modality.Video : Modality.Music);
        var top = Math.Max(1, options.Value.ExplainBlocks);
        var queryBlocks = layouts.For(queryModality, query.Length);
        var queryMean = await MeanAsync(queryModality, query.Length, cancellationToken);
        var queryEmbedded = Embed(model, queryModality, Variants(query, queryBlocks, queryMean));

        var explained = new List<IReadOnlyList<BlockAgreement>>(results.Count);
        foreach (var result in results)
        {
            if (result is null)
            {
                explained.Add([]);
                continue;
            }

            var resultBlocks = layouts.For(targetModality, result.Length);
            // Cached per modality and dimension: the first result of a call may compute it, the rest reuse it.
            var resultMean = await MeanAsync(targetModality, result.Length, cancellationToken);
            var resultEmbedded = Embed(model, targetModality, Variants(result, resultBlocks, resultMean));
            var score = TensorPrimitives.CosineSimilarity(queryEmbedded[0], resultEmbedded[0]);
            var agreements = new List<BlockAgreement>();
            agreements.AddRange(queryBlocks.Select((b, i) =>
                new BlockAgreement(queryModality, b.Name, score - TensorPrimitives.CosineSimilarity(queryEmbedded[i + 1], resultEmbedded[0])))
                .OrderByDescending(a => a.Contribution).Take(top));
            agreements.AddRange(resultBlocks.Select((b, i) =>
                new BlockAgreement(targetModality, b.Name, score - TensorPrimitives.CosineSimilarity(queryEmbedded[0], resultEmbedded[i + 1])))
                .OrderByDescending(a => a.Contribution).Take(top));
            explained.Add([.. agreements.OrderByDescending(a => a.Contribution)]);
        }

        return explained;
    }

    /// <summary>The vector itself, then one copy per block with that block set to the baseline.</summary>
    public static IReadOnlyList<float[]> Variants(float[] features, IReadOnlyList<FeatureGroup> blocks, float[] baseline)
    {
        var variants = new List<float[]>(blocks.Count + 1) { features };
        foreach (var block in blocks)
        {
            var copy = (float[])features.Clone();
            foreach (var i in block.Indices)
            {
                copy[i] = baseline[i];
            }

            variants.Add(copy);
        }

        return variants;
    }

    private static float[][] Embed(IEmbeddingModel model, Modality modality, IReadOnlyList<float[]> rows) =>
        modality == Modality.Music ? model.EmbedMusic(rows) : model.EmbedVideo(rows);

    // The per-position mean of one modality's raw features: a baseline, so an estimate is enough. It is read from at
    // most Search:ExplainMeanSample items and reused for Search:ExplainMeanRefresh, never recounted per result or per
    // query (a COUNT(*) per result and a scan of every blob whenever the catalogue grew let explain requests load the
    // catalogue at will). One refresh runs at a time; callers meanwhile use the previous mean when there is one.
    private async Task<float[]> MeanAsync(Modality modality, int dimension, CancellationToken cancellationToken)
    {
        var key = (modality, dimension);
        float[]? stale;
        lock (_gate)
        {
            if (_means.TryGetValue(key, out var cached) && _clock.GetUtcNow() - cached.At < options.Value.ExplainMeanRefresh)
            {
                return cached.Mean;
            }

            stale = _means.TryGetValue(key, out var old) ? old.Mean : null;
        }

        if (stale is not null && !await _refresh.WaitAsync(0, cancellationToken))
        {
            return stale;
        }

        if (stale is null)
        {
            await _refresh.WaitAsync(cancellationToken);
        }

        try
        {
            lock (_gate)
            {
                if (_means.TryGetValue(key, out var fresh) && _clock.GetUtcNow() - fresh.At < options.Value.ExplainMeanRefresh)
                {
                    return fresh.Mean;
                }
            }

            var mean = await ComputeMeanAsync(modality, dimension, Math.Max(1, options.Value.ExplainMeanSample), cancellationToken);
            lock (_gate)
            {
                _means[key] = (_clock.GetUtcNow(), mean);
            }

            return mean;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task<float[]> ComputeMeanAsync(Modality modality, int dimension, int sample, CancellationToken cancellationToken)
    {
        var sum = new double[dimension];
        var n = 0;
        var read = 0;
        await foreach (var item in catalogue.ListAsync(null, cancellationToken))
        {
            if (++read > sample)
            {
                break;
            }

            var features = modality == Modality.Music ? item.MusicFeatures : item.VideoFeatures;
            if (features?.Length == dimension)
            {
                for (var i = 0; i < dimension; i++)
                {
                    sum[i] += features[i];
                }

                n++;
            }
        }

        return [.. sum.Select(s => n == 0 ? 0f : (float)(s / n))];
    }
}
