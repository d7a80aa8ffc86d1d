using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Search;

/// <summary>
/// Soundtrack suggestions for video-only uploads. One suggestion per media id and model version: the first is
/// stored and every later request for the same pair (reprocessing, redelivery) gets that same suggestion back.
/// A new model version gives a new suggestion.
/// </summary>
internal sealed partial class SoundtrackTagger(
    SearchEngine engine, IFeatureCatalogue catalogue, ISoundtrackLedger ledger, IRemovalLedger removals, IOptions<SearchOptions> options, ILogger<SoundtrackTagger> logger)
{
    /// <summary>The suggestion to publish for <paramref name="embedded"/>, or null when it needs none or no model is live.</summary>
    public async Task<SoundtrackSuggested?> SuggestAsync(MediaEmbedded embedded, CancellationToken cancellationToken)
    {
        if (embedded.Kind != MediaKind.Video || !embedded.VideoEmbedded)
        {
            return null;
        }

        if (engine.LiveGeneration is not { } live)
        {
            LogNoModel(embedded.MediaId);
            return null;
        }

        // A video taken down while its MediaEmbedded was on its way gets no suggestion.
        if ((await removals.RemovedAmongAsync([embedded.MediaId], cancellationToken)).Count > 0)
        {
            return null;
        }

        var stored = await ledger.FindAsync(embedded.MediaId, live, cancellationToken);
        if (stored is null)
        {
            var answer = await engine.SearchAsync(
                new SearchQuery(Modality.Music, MediaId: embedded.MediaId, TopK: options.Value.SuggestionTopK), cancellationToken);
            stored = await ledger.AddOrGetAsync(
                new StoredSuggestion(embedded.MediaId, answer.ModelVersion, [.. answer.Matches.Select(m => new SuggestedTrack(m.MediaId, m.Score, m.Metadata))], DateTimeOffset.UtcNow),
                cancellationToken);
            LogSuggested(embedded.MediaId, stored.Tracks.Length, stored.ModelVersion);
        }
        else
        {
            LogRepeated(embedded.MediaId, stored.ModelVersion);
        }

        // Checked again just before the answer goes out: a track (or the video) taken down since the suggestion was made
        // or stored is left out, whatever the ledger still holds.
        var removed = await removals.RemovedAmongAsync([embedded.MediaId, .. stored.Tracks.Select(t => t.MediaId)], cancellationToken);
        if (removed.Contains(embedded.MediaId))
        {
            return null;
        }

        var video = await catalogue.GetAsync(embedded.MediaId, cancellationToken);
        return new SoundtrackSuggested(
            stored.MediaId, embedded.CorrelationId, stored.ModelVersion, [.. stored.Tracks.Where(t => !removed.Contains(t.MediaId))], stored.SuggestedAt, video?.Metadata);
    }

    [LoggerMessage(5040, LogLevel.Information, "Suggested {Count} soundtracks for {MediaId} under model {Version}")]
    private partial void LogSuggested(string mediaId, int count, string version);

    [LoggerMessage(5041, LogLevel.Information, "{MediaId} already has a suggestion under model {Version}; sending the same one again")]
    private partial void LogRepeated(string mediaId, string version);

    [LoggerMessage(5042, LogLevel.Information, "No model is live yet: no soundtrack suggestion for {MediaId}")]
    private partial void LogNoModel(string mediaId);
}
