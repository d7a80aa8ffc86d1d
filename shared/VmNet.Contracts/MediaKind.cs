namespace VmNet.Contracts;

/// <summary>What an ingested item holds.</summary>
public enum MediaKind
{
    /// <summary>A music video: a picture and its soundtrack, the training pairs.</summary>
    Pair = 0,

    /// <summary>A video-only upload waiting for a soundtrack.</summary>
    Video = 1,

    /// <summary>A music-only track.</summary>
    Music = 2,
}
