using VmNet.Catalogue;

namespace VmNet.Storage;

/// <summary>
/// <see cref="CatalogueEntry.StatusOf"/> as a SQL condition on the catalogue's columns (kind, music, video and the two
/// failures), written once for both the SQLite and the PostgreSQL catalogue: failed wins, ready needs every half the
/// kind has (0 pair, 1 video, 2 music).
/// </summary>
internal static class CatalogueStatusSql
{
    private const string Failed = "(music_failure IS NOT NULL OR video_failure IS NOT NULL)";
    private const string Ready = $"(NOT {Failed} AND (kind = 1 OR music IS NOT NULL) AND (kind = 2 OR video IS NOT NULL))";

    public static string Condition(CatalogueStatus status) => status switch
    {
        CatalogueStatus.Failed => Failed,
        CatalogueStatus.Ready => Ready,
        _ => $"(NOT {Failed} AND NOT {Ready})",
    };
}
