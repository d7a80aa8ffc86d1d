using VmNet.ServiceDefaults;

namespace VmNet.Storage;

/// <summary>
/// Loss and duplicates per media id and stage, counted from a delivery ledger. A stage is one message type on one
/// role's queue (<see cref="StageOf"/>, e.g. <c>embedder-features-extracted:AudioFeaturesExtracted</c>). For each expected media id and stage exactly one message must have been
/// consumed: none is a loss, two different message ids are a duplicate (a second message for the same work). The same
/// message consumed again (a redelivery after a crash or a lost ack) is neither: its effects are idempotent upserts,
/// and it is counted apart.
/// </summary>
public sealed record DeliveryAudit(
    int Lost,
    int Duplicated,
    int Redelivered,
    int ConsumedTwice,
    IReadOnlyList<string> Stages,
    IReadOnlyList<string> Problems)
{
    public static string StageOf(DeliveryRecord record) => $"{record.Queue}:{record.MessageType}";

    /// <summary>
    /// The stages a pair passes exactly once: each worker's <c>MediaIngested</c>, the embedder's two feature messages.
    /// Not <c>MediaEmbedded</c> at search: the embedder publishes one per half that arrives (two per pair) and none for
    /// items a model activation re-embeds, so "one per media id" does not hold there.
    /// </summary>
    public static readonly IReadOnlyList<string> PairStages =
    [
        "audio-features-media-ingested:MediaIngested",
        "video-features-media-ingested:MediaIngested",
        "embedder-features-extracted:MediaIngested",
        "embedder-features-extracted:AudioFeaturesExtracted",
        "embedder-features-extracted:VideoFeaturesExtracted",
    ];

    /// <summary>Audits <paramref name="mediaIds"/> at <paramref name="stages"/> (by default <see cref="PairStages"/>).</summary>
    public static DeliveryAudit Of(IReadOnlyList<DeliveryRecord> records, IReadOnlyCollection<string> mediaIds, IEnumerable<string>? stages = null)
    {
        var ids = mediaIds.ToHashSet(StringComparer.Ordinal);
        var allStages = (stages ?? PairStages).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var relevant = records.Where(r => r.MediaId is not null && ids.Contains(r.MediaId) && allStages.Contains(StageOf(r))).ToList();
        var consumed = relevant.Where(r => r.Phase == DeliveryPhase.Consumed)
            .GroupBy(r => (StageOf(r), r.MediaId!))
            .ToDictionary(g => g.Key, g => g.ToList());
        var problems = new List<string>();
        var lost = 0;
        var duplicated = 0;
        foreach (var stage in allStages)
        {
            foreach (var id in ids)
            {
                var done = consumed.GetValueOrDefault((stage, id)) ?? [];
                var messages = done.Select(r => r.MessageId).Distinct().Count();
                if (messages == 0)
                {
                    lost++;
                    problems.Add($"lost: {id} never consumed at {stage}");
                }
                else if (messages > 1)
                {
                    duplicated += messages - 1;
                    problems.Add($"duplicated: {id} consumed at {stage} as {messages} different messages");
                }
            }
        }

        var redelivered = relevant.Count(r => r.Phase == DeliveryPhase.Received && r.Redelivered);
        var consumedTwice = consumed.Values.Sum(g => g.Count - g.Select(r => r.MessageId).Distinct().Count());
        return new DeliveryAudit(lost, duplicated, redelivered, consumedTwice, allStages, problems);
    }

    /// <summary>Deliveries taken and never finished (Received, no Consumed or Faulted of that message in that process).</summary>
    public static IEnumerable<DeliveryRecord> Unfinished(IReadOnlyList<DeliveryRecord> records) =>
        records.Where(r => r.Phase == DeliveryPhase.Received)
            .Where(r => !records.Any(e => e.Phase != DeliveryPhase.Received && e.MessageId == r.MessageId && e.Queue == r.Queue
                                         && e.Process == r.Process && e.At >= r.At));

    public override string ToString() =>
        $"lost {Lost}, duplicated {Duplicated}, redelivered {Redelivered}, consumed again {ConsumedTwice}" +
        (Problems.Count == 0 ? string.Empty : ": " + string.Join("; ", Problems.Take(10)));
}
