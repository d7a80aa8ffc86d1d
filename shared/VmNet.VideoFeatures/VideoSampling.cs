namespace VmNet.VideoFeatures;

/// <summary>How <see cref="FfmpegFrameDecoder"/> gets its frames at <see cref="VideoFeatureOptions.FramesPerSecond"/>.</summary>
public enum VideoSampling
{
    /// <summary>
    /// <see cref="Keyframes"/> when the video's keyframes are at most <see cref="VideoFeatureOptions.KeyframeMaxGapSeconds"/>
    /// apart over the span that counts, <see cref="Full"/> otherwise.
    /// </summary>
    Auto,

    /// <summary>Every frame is decoded and the frame nearest each sampling instant is kept (frame-exact).</summary>
    Full,

    /// <summary>
    /// Only keyframes are decoded (<c>-skip_frame nokey</c>); each sampling instant gets the latest keyframe. Several
    /// times cheaper: H.264 P- and B-frames need every frame before them, a keyframe needs nothing.
    /// </summary>
    Keyframes,
}
