using System.Collections.Immutable;
using System.Data.Common;
using System.Text.Json;
using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Storage;

/// <summary>
/// What the SQLite and the PostgreSQL catalogue share above their SQL: the columns every read selects, in this order
/// (<see cref="Read"/> maps them), a listing's checks, and how one more row than asked for becomes the next page's
/// cursor. The two differ only in how a vector and a time are stored, which the caller's readers say.
/// </summary>
internal static class CatalogueRows
{
    /// <summary>The selected columns; PostgreSQL reads <c>labels</c> (jsonb) as text, SQLite stores text.</summary>
    public static string Columns(string labels) =>
        "media_id, kind, duration, tempo, music, music_version, video, video_version, updated_at, " +
        "music_failure, music_failed_at, video_failure, video_failed_at, " +
        $"source, title, artist, album, external_id, {labels}";

    private static readonly MediaMetadata Empty = new();

    public static CatalogueItem Read(DbDataReader r, Func<int, float[]> vector, Func<int, DateTimeOffset> time)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        ExtractionFailure? Failure(int reason) => r.IsDBNull(reason) ? null : new ExtractionFailure(r.GetString(reason), time(reason + 1));
        var labels = Text(18) is { } json ? JsonSerializer.Deserialize<ImmutableDictionary<string, string>>(json) : null;
        var metadata = new MediaMetadata(Text(13), Text(14), Text(15), Text(16), Text(17), labels);
        return new CatalogueItem(
            r.GetString(0),
            (MediaKind)r.GetInt32(1),
            r.GetDouble(2),
            r.IsDBNull(3) ? null : r.GetDouble(3),
            r.IsDBNull(4) ? null : vector(4),
            Text(5),
            r.IsDBNull(6) ? null : vector(6),
            Text(7),
            time(8),
            Failure(9),
            Failure(11),
            metadata == Empty ? null : metadata);
    }

    /// <summary>The checks of a listing, before any SQL runs.</summary>
    public static void CheckListing(CatalogueFilter filter, int limit)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (filter.Error is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(filter));
        }
    }

    /// <summary>The labels a listing requires, numbered for the parameters of its conditions.</summary>
    public static IEnumerable<(string Key, string Value, int Index)> Labels(CatalogueFilter filter) =>
        (filter.Labels ?? new Dictionary<string, string>()).Select((l, i) => (l.Key, l.Value, i));

    /// <summary>Reads up to <paramref name="limit"/> + 1 rows: the extra one only says there is a next page.</summary>
    public static async Task<CataloguePage> PageAsync(DbDataReader reader, int limit, Func<DbDataReader, CatalogueItem> read, CancellationToken cancellationToken)
    {
        var items = new List<CatalogueItem>();
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(read(reader));
        }

        return items.Count > limit ? new CataloguePage(items[..limit], items[limit - 1].MediaId) : new CataloguePage(items, null);
    }
}
