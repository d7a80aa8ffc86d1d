using System.Collections.Immutable;

namespace VmNet.Contracts;

/// <summary>Top soundtracks for a new video-only upload, ranked by the model that answered.</summary>
public sealed record SoundtrackSuggested(
    string MediaId,
    Guid CorrelationId,
    string ModelVersion,
    ImmutableArray<SuggestedTrack> Tracks,
    DateTimeOffset SuggestedAt);

/// <summary>One suggested track and its cosine similarity to the video.</summary>
public sealed record SuggestedTrack(string MediaId, float Score);
