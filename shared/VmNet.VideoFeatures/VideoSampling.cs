namespace VmNet.VideoFeatures;

/// <summary>How <see cref="FfmpegFrameDecoder"/> gets its frames at <see cref="VideoFeatureOptions.FramesPerSecond"/>.</summary>
public enum VideoSampling
{
    /// <summary>
    /// <see cref="Keyframes"/> when the video's keyframes are at most <see cref="VideoFeatureOptions.KeyframeMaxGapSeconds"/>
    /// apart over the span that counts; otherwise <see cref="NoBFrames"/> for H.264 and MPEG-1/2/4 Part 2, and
    /// <see cref="Full"/> for other codecs (see <see cref="FfmpegFrameDecoder.BFramesSkippable"/>).
    /// </summary>
    Auto,

    /// <summary>Every frame is decoded and the frame nearest each sampling instant is kept (frame-exact).</summary>
    Full,

    /// <summary>
    /// Only keyframes are decoded (<c>-skip_frame nokey</c>); each sampling instant gets the latest keyframe. Several
    /// times cheaper: H.264 P- and B-frames need every frame before them, a keyframe needs nothing.
    /// </summary>
    Keyframes,

    /// <summary>
    /// I- and P-frames are decoded, B-frames skipped (<c>-skip_frame bidir</c>), and the deblocking filter is not
    /// run (<c>-skip_loop_filter all</c>); each sampling instant gets the last decoded frame before it, at most a few frames
    /// early. About half the decoding work of <see cref="Full"/> for H.264 with B-frames; features within cosine 0.99 of
    /// the full decode (<c>vmnet bench video</c> measures both).
    /// </summary>
    NoBFrames,
}
