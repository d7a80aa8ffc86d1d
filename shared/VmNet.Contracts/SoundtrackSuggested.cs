using System.Collections.Immutable;

namespace VmNet.Contracts;

/// <summary>Top soundtracks for a new video-only upload, ranked by the model that answered; <paramref name="Metadata"/> is the video's.</summary>
public sealed record SoundtrackSuggested(
    string MediaId,
    Guid CorrelationId,
    string ModelVersion,
    ImmutableArray<SuggestedTrack> Tracks,
    DateTimeOffset SuggestedAt,
    MediaMetadata? Metadata = null);

/// <summary>One suggested track, its cosine similarity to the video, and who the track is.</summary>
public sealed record SuggestedTrack(string MediaId, float Score, MediaMetadata? Metadata = null);
