using Qdrant.Client.Grpc;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Storage;

namespace VmNet.Embedder.Tests;

/// <summary>The Qdrant adapter's requests, checked without a server.</summary>
public sealed class QdrantRequestsTests
{
    private readonly QdrantRequests _requests = new("vmnet");

    [Fact]
    public void ACollectionPerGenerationWithNamedCosineVectorsAndMetadata()
    {
        var created = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var request = _requests.CreateCollection("m-20250101.1", 128, created);
        Assert.Equal("vmnet_m-20250101.1", request.CollectionName);
        var map = request.VectorsConfig.ParamsMap.Map;
        Assert.Equal(["music", "video"], map.Keys.Order());
        Assert.All(map.Values, v => Assert.Equal((128UL, Distance.Cosine), (v.Size, v.Distance)));
        Assert.Equal("m-20250101.1", request.Metadata[QdrantRequests.GenerationMetadata].StringValue);
        Assert.Equal(128, request.Metadata[QdrantRequests.DimensionMetadata].IntegerValue);
        Assert.Equal(created, DateTimeOffset.Parse(request.Metadata[QdrantRequests.CreatedMetadata].StringValue, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void PointsCarryOneNamedVectorAndThePayloadFiltersUse()
    {
        var request = _requests.Upsert("g1",
        [
            new VectorRecord("abc", Modality.Music, [1f, 0f], MediaKind.Pair, 12.5, 120),
            new VectorRecord("abc", Modality.Video, [0f, 1f], MediaKind.Pair, 12.5, null),
        ]);
        Assert.Equal(("vmnet_g1", true), (request.CollectionName, request.Wait));
        var music = request.Points[0];
        var video = request.Points[1];
        Assert.NotEqual(music.Id.Uuid, video.Id.Uuid);
        Assert.Equal(QdrantRequests.PointId(Modality.Music, "abc").ToString(), music.Id.Uuid);
        Assert.Equal(["music"], music.Vectors.Vectors_.Vectors.Keys);
        Assert.Equal([1f, 0f], music.Vectors.Vectors_.Vectors["music"].Dense.Data);
        Assert.Equal("abc", music.Payload[QdrantRequests.MediaIdField].StringValue);
        Assert.Equal("pair", music.Payload[QdrantRequests.KindField].StringValue);
        Assert.Equal("music", music.Payload[QdrantRequests.ModalityField].StringValue);
        Assert.Equal(12.5, music.Payload[QdrantRequests.DurationField].DoubleValue);
        Assert.Equal(120, music.Payload[QdrantRequests.TempoField].DoubleValue);
        Assert.False(video.Payload.ContainsKey(QdrantRequests.TempoField));
        Assert.Equal(QdrantRequests.PointId(Modality.Music, "abc"), QdrantRequests.PointId(Modality.Music, "abc"));
    }

    [Fact]
    public void ActivationMovesTheAliasInOneRequest()
    {
        var first = _requests.Activate("g1", aliasExists: false);
        var create = Assert.Single(first).CreateAlias;
        Assert.Equal(("vmnet_live", "vmnet_g1"), (create.AliasName, create.CollectionName));

        var swap = _requests.Activate("g2", aliasExists: true);
        Assert.Equal(2, swap.Count);
        Assert.Equal("vmnet_live", swap[0].DeleteAlias.AliasName);
        Assert.Equal(("vmnet_live", "vmnet_g2"), (swap[1].CreateAlias.AliasName, swap[1].CreateAlias.CollectionName));
        Assert.Equal("g2", _requests.GenerationOf(swap[1].CreateAlias.CollectionName));
        Assert.Null(_requests.GenerationOf("vmnet_live"));
        Assert.Null(_requests.GenerationOf("other_g1"));
    }

    [Fact]
    public void FiltersBecomeMustConditions()
    {
        var none = QdrantRequests.Filter(Modality.Video, null);
        Assert.Equal("video", Assert.Single(none.Must).Field.Match.Keyword);

        var filter = QdrantRequests.Filter(Modality.Music, new SearchFilter(MinDurationSeconds: 10, MaxTempoBpm: 130, Kind: MediaKind.Music));
        var byField = filter.Must.ToDictionary(c => c.Field.Key, c => c.Field);
        Assert.Equal(["duration", "kind", "modality", "tempo"], byField.Keys.Order());
        Assert.Equal((true, 10d, false), (byField["duration"].Range.HasGte, byField["duration"].Range.Gte, byField["duration"].Range.HasLte));
        Assert.Equal((false, true, 130d), (byField["tempo"].Range.HasGte, byField["tempo"].Range.HasLte, byField["tempo"].Range.Lte));
        Assert.Equal("music", byField["kind"].Match.Keyword);
        Assert.Equal("music", byField["modality"].Match.Keyword);
    }

    [Fact]
    public void LabelsAreAKeywordArrayAndEachWantedLabelIsOneMustCondition()
    {
        var labels = new Dictionary<string, string> { ["mood"] = "calm", ["genre.sub"] = "post-rock" };
        var point = _requests.Upsert("g1", [new VectorRecord("abc", Modality.Music, [1f, 0f], MediaKind.Music, 10, null, labels)]).Points[0];
        Assert.Equal(["genre.sub=post-rock", "mood=calm"], point.Payload[QdrantRequests.LabelsField].ListValue.Values.Select(v => v.StringValue));
        var unlabelled = _requests.Upsert("g1", [new VectorRecord("def", Modality.Music, [1f, 0f], MediaKind.Music, 10, null)]).Points[0];
        Assert.False(unlabelled.Payload.ContainsKey(QdrantRequests.LabelsField));

        var filter = QdrantRequests.Filter(Modality.Music, new SearchFilter(Labels: labels));
        Assert.Equal(
            ["genre.sub=post-rock", "mood=calm"],
            filter.Must.Where(c => c.Field.Key == QdrantRequests.LabelsField).Select(c => c.Field.Match.Keyword).Order(StringComparer.Ordinal));
        Assert.Throws<ArgumentException>(() => _requests.Upsert("g1", [new VectorRecord("x", Modality.Music, [1f], MediaKind.Music, 1, null, new Dictionary<string, string> { ["Bad"] = "x" })]));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("a b")]
    public void UnsafeGenerationNamesAreRefused(string generation) =>
        Assert.Throws<ArgumentException>(() => _requests.CollectionName(generation));
}
