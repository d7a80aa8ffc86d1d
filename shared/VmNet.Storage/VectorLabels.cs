using System.Collections.Immutable;
using System.Text.Json;
using VmNet.Media;

namespace VmNet.Storage;

/// <summary>
/// The labels a vector carries for label filters: checked against ingest's rules before they are stored (a store is
/// not the place to let a hostile message grow every row), kept as one JSON object per row.
/// </summary>
internal static class VectorLabels
{
    /// <summary>A copy of <paramref name="labels"/> in key order (null when there are none); refuses labels outside the rules.</summary>
    public static ImmutableSortedDictionary<string, string>? Valid(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null || labels.Count == 0)
        {
            return null;
        }

        return MediaLabels.LabelsError(labels) is { } error
            ? throw new ArgumentException($"vector labels refused: {error}")
            : labels.ToImmutableSortedDictionary(StringComparer.Ordinal);
    }

    public static string? ToJson(IReadOnlyDictionary<string, string>? labels) =>
        labels is null || labels.Count == 0 ? null : JsonSerializer.Serialize(labels.ToImmutableSortedDictionary(StringComparer.Ordinal));

    public static ImmutableSortedDictionary<string, string>? FromJson(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) is { Count: > 0 } labels
            ? labels.ToImmutableSortedDictionary(StringComparer.Ordinal)
            : null;

    /// <summary>The form a label takes in a Qdrant keyword array: <c>key=value</c> (keys never hold '=').</summary>
    public static string Keyword(string key, string value) => key + "=" + value;
}
