using System.Runtime.CompilerServices;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Search.V1;
using MediaKind = VmNet.Contracts.MediaKind;
using Modality = VmNet.Contracts.Modality;

namespace VmNet.Search.Tests;

/// <summary>
/// Explanations and filters cost a bounded amount of catalogue work (#13 item 10): no COUNT(*) per result, no scan
/// of every blob per request, and NaN or impossible filters refused before any search.
/// </summary>
public sealed class ExplainAndFilterLimitsTests(SearchServerFixture fixture) : IClassFixture<SearchServerFixture>
{
    private SearchServer Server => fixture.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Explaining_many_results_twice_counts_nothing_and_reads_the_catalogue_once_per_modality_within_the_sample()
    {
        var services = Server.App.Services;
        var counting = new CountingCatalogue(services.GetRequiredService<IFeatureCatalogue>());
        var options = Options.Create(new SearchOptions { ExplainMeanSample = 5 });
        var explainer = new MatchExplainer(counting, services.GetRequiredService<FeatureLayouts>(), options);
        var model = services.GetRequiredService<ModelCache>().Get("v1");
        var query = Server.World.First(MediaKind.Pair).Video!;
        var results = Server.World.Items.Where(i => i.Music is not null).Select(i => i.Music).Take(6).ToList();

        var first = await explainer.ExplainAsync(model, Modality.Video, query, results, Ct);
        var second = await explainer.ExplainAsync(model, Modality.Video, query, results, Ct);

        Assert.Equal(6, first.Count);
        Assert.All(first.Concat(second), e => Assert.NotEmpty(e));
        Assert.Equal(0, counting.Counts);
        Assert.Equal(2, counting.Lists);
        Assert.InRange(counting.ItemsRead, 1, 2 * (5 + 1));
    }

    [Theory]
    [InlineData(double.NaN, null)]
    [InlineData(null, double.NaN)]
    [InlineData(double.PositiveInfinity, null)]
    [InlineData(null, double.NegativeInfinity)]
    [InlineData(-1.0, null)]
    [InlineData(null, -5.0)]
    public async Task A_nan_infinite_or_negative_duration_bound_is_invalid_argument(double? min, double? max)
    {
        using var client = Server.Client();
        var filter = new Filter();
        if (min is { } a)
        {
            filter.MinDurationSeconds = a;
        }

        if (max is { } b)
        {
            filter.MaxDurationSeconds = b;
        }

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            client.FindMusicForVideoIdAsync(Server.World.First(MediaKind.Pair).MediaId, new QueryOptions { TopK = 3, Filter = filter }, Ct));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task A_nan_tempo_bound_is_invalid_argument()
    {
        using var client = Server.Client();

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            client.FindMusicForVideoIdAsync(Server.World.First(MediaKind.Pair).MediaId, new QueryOptions { Filter = new Filter { MaxTempoBpm = double.NaN } }, Ct));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private sealed class CountingCatalogue(IFeatureCatalogue inner) : IFeatureCatalogue
    {
        public int Counts;
        public int Lists;
        public int ItemsRead;

        public Task UpsertMusicAsync(string mediaId, MediaKind kind, float[] features, string extractorVersion, double durationSeconds, double? tempoBpm, CancellationToken cancellationToken) =>
            inner.UpsertMusicAsync(mediaId, kind, features, extractorVersion, durationSeconds, tempoBpm, cancellationToken);

        public Task UpsertVideoAsync(string mediaId, MediaKind kind, float[] features, string extractorVersion, double durationSeconds, CancellationToken cancellationToken) =>
            inner.UpsertVideoAsync(mediaId, kind, features, extractorVersion, durationSeconds, cancellationToken);

        public Task RecordFailureAsync(string mediaId, Modality modality, string reason, DateTimeOffset failedAt, CancellationToken cancellationToken) =>
            inner.RecordFailureAsync(mediaId, modality, reason, failedAt, cancellationToken);

        public Task<CatalogueItem?> GetAsync(string mediaId, CancellationToken cancellationToken) => inner.GetAsync(mediaId, cancellationToken);

        public async IAsyncEnumerable<CatalogueItem> ListAsync(MediaKind? kind, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Lists);
            await foreach (var item in inner.ListAsync(kind, cancellationToken))
            {
                Interlocked.Increment(ref ItemsRead);
                yield return item;
            }
        }

        public Task<int> CountAsync(MediaKind? kind, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Counts);
            return inner.CountAsync(kind, cancellationToken);
        }
    }
}
