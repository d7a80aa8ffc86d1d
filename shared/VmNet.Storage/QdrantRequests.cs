using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Qdrant.Client.Grpc;
using VmNet.Catalogue;
using VmNet.Contracts;
using static Qdrant.Client.Grpc.Conditions;

namespace VmNet.Storage;

/// <summary>
/// Every request the Qdrant adapter sends, built without a server so it can be unit-tested: one collection per
/// generation with named vectors "music"/"video", one point per (media id, modality) so writing one half never
/// touches the other, payload for filters, and one alias that names the live collection.
/// </summary>
public sealed class QdrantRequests(string prefix)
{
    public const string MediaIdField = "media_id";
    public const string ModalityField = "modality";
    public const string KindField = "kind";
    public const string DurationField = "duration";
    public const string TempoField = "tempo";

    /// <summary>The item's labels as a keyword array of <c>key=value</c>: one match condition per wanted label, whatever the key holds.</summary>
    public const string LabelsField = "labels";
    public const string GenerationMetadata = "vmnet_generation";
    public const string DimensionMetadata = "vmnet_dimension";
    public const string CreatedMetadata = "vmnet_created_at";

    public string Prefix { get; } = string.IsNullOrWhiteSpace(prefix) || prefix.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        ? throw new ArgumentException($"invalid Qdrant prefix '{prefix}'", nameof(prefix))
        : prefix;

    public string LiveAlias => Prefix + "_live";

    public static string VectorName(Modality modality) => modality == Modality.Music ? "music" : "video";

    public static string KindName(MediaKind kind) => kind.ToString().ToLowerInvariant();

    public string CollectionName(string generation)
    {
        EmbeddedVectorStore.ValidateName(generation);
        return $"{Prefix}_{generation}";
    }

    /// <summary>The generation a collection holds, or null for collections that are not ours.</summary>
    public string? GenerationOf(string collection) =>
        collection.StartsWith(Prefix + "_", StringComparison.Ordinal) && collection != LiveAlias ? collection[(Prefix.Length + 1)..] : null;

    /// <summary>A stable point id per (modality, media id): re-upserting replaces, never duplicates.</summary>
    public static Guid PointId(Modality modality, string mediaId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{VectorName(modality)}:{mediaId}")).AsSpan(0, 16));

    /// <summary>Every point of <paramref name="mediaIds"/>: both halves of each (what a takedown deletes).</summary>
    public static IReadOnlyList<Guid> PointIds(IEnumerable<string> mediaIds) =>
        [.. mediaIds.Distinct(StringComparer.Ordinal).SelectMany(id => Enum.GetValues<Modality>().Select(m => PointId(m, id)))];

    public CreateCollection CreateCollection(string generation, int dimension, DateTimeOffset createdAt)
    {
        var vectors = new VectorParamsMap();
        foreach (var modality in Enum.GetValues<Modality>())
        {
            vectors.Map[VectorName(modality)] = new VectorParams { Size = (ulong)dimension, Distance = Distance.Cosine };
        }

        var request = new CreateCollection { CollectionName = CollectionName(generation), VectorsConfig = new VectorsConfig { ParamsMap = vectors } };
        request.Metadata[GenerationMetadata] = generation;
        request.Metadata[DimensionMetadata] = dimension;
        request.Metadata[CreatedMetadata] = createdAt.ToString("O", CultureInfo.InvariantCulture);
        return request;
    }

    public UpsertPoints Upsert(string generation, IEnumerable<VectorRecord> records)
    {
        var request = new UpsertPoints { CollectionName = CollectionName(generation), Wait = true };
        foreach (var record in records)
        {
            var point = new PointStruct
            {
                Id = PointId(record.Modality, record.MediaId),
                Vectors = new Dictionary<string, float[]> { [VectorName(record.Modality)] = record.Vector },
            };
            point.Payload[MediaIdField] = record.MediaId;
            point.Payload[ModalityField] = VectorName(record.Modality);
            point.Payload[KindField] = KindName(record.Kind);
            point.Payload[DurationField] = record.DurationSeconds;
            if (record.TempoBpm is { } tempo)
            {
                point.Payload[TempoField] = tempo;
            }

            if (VectorLabels.Valid(record.Labels) is { } labels)
            {
                var list = new ListValue();
                list.Values.AddRange(labels.Select(l => new Value { StringValue = VectorLabels.Keyword(l.Key, l.Value) }));
                point.Payload[LabelsField] = new Value { ListValue = list };
            }

            request.Points.Add(point);
        }

        return request;
    }

    /// <summary>Points the live alias at <paramref name="generation"/> in one request, so the switch is atomic.</summary>
    public IReadOnlyList<AliasOperations> Activate(string generation, bool aliasExists)
    {
        var operations = new List<AliasOperations>();
        if (aliasExists)
        {
            operations.Add(new AliasOperations { DeleteAlias = new DeleteAlias { AliasName = LiveAlias } });
        }

        operations.Add(new AliasOperations { CreateAlias = new CreateAlias { AliasName = LiveAlias, CollectionName = CollectionName(generation) } });
        return operations;
    }

    /// <summary>The payload filter for a query of <paramref name="target"/> vectors.</summary>
    public static Filter Filter(Modality target, SearchFilter? filter)
    {
        var result = new Filter();
        result.Must.Add(MatchKeyword(ModalityField, VectorName(target)));
        if (filter is null)
        {
            return result;
        }

        if (filter.MinDurationSeconds is not null || filter.MaxDurationSeconds is not null)
        {
            result.Must.Add(Range(DurationField, Bounds(filter.MinDurationSeconds, filter.MaxDurationSeconds)));
        }

        if (filter.MinTempoBpm is not null || filter.MaxTempoBpm is not null)
        {
            result.Must.Add(Range(TempoField, Bounds(filter.MinTempoBpm, filter.MaxTempoBpm)));
        }

        if (filter.Kind is { } kind)
        {
            result.Must.Add(MatchKeyword(KindField, KindName(kind)));
        }

        // A keyword condition on an array matches when any element is equal: one per label makes them all required.
        foreach (var (key, value) in filter.Labels ?? new Dictionary<string, string>())
        {
            result.Must.Add(MatchKeyword(LabelsField, VectorLabels.Keyword(key, value)));
        }

        return result;
    }

    public static Filter ModalityFilter(Modality modality) => Filter(modality, null);

    private static Qdrant.Client.Grpc.Range Bounds(double? min, double? max)
    {
        var range = new Qdrant.Client.Grpc.Range();
        if (min is { } lo)
        {
            range.Gte = lo;
        }

        if (max is { } hi)
        {
            range.Lte = hi;
        }

        return range;
    }
}
