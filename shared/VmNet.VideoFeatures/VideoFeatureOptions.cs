namespace VmNet.VideoFeatures;

/// <summary>
/// The <c>VideoFeatures</c> configuration section. The defaults run the ResNet18 ONNX that the
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 package copies beside the binaries; any ONNX image model
/// with an [N,3,H,W] input and a [N,D,...] output can replace it.
/// </summary>
public sealed class VideoFeatureOptions
{
    public const string Section = "VideoFeatures";

    /// <summary>The CNN (relative paths are taken from the application folder).</summary>
    public string ModelPath { get; set; } = Path.Combine("DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    public string InputName { get; set; } = "Input247";

    /// <summary>The penultimate layer: ResNet18's global average pool, [N,512,1,1].</summary>
    public string OutputName { get; set; } = "Pooling395_Output_0";

    /// <summary>
    /// An ONNX graph that turns planar RGB 0..255 into the CNN's input (ResNet's channel swap and mean image).
    /// Empty: the CNN gets (pixel/255 − <see cref="Mean"/>)/<see cref="Std"/> per channel instead.
    /// </summary>
    public string? PreprocessModelPath { get; set; } = Path.Combine("DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    public string PreprocessInputName { get; set; } = "OriginalInput";

    public string PreprocessOutputName { get; set; } = "PreprocessedInput";

    /// <summary>Per-channel RGB normalisation for models without a preprocessing graph (ImageNet's by default).</summary>
    public float[] Mean { get; set; } = [0.485f, 0.456f, 0.406f];

    public float[] Std { get; set; } = [0.229f, 0.224f, 0.225f];

    /// <summary>Square input side of the CNN; frames are scaled to cover it and centre-cropped.</summary>
    public int InputSize { get; set; } = 224;

    /// <summary>Frames per CNN run.</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>Only the start of a video counts (the paper: 360 s).</summary>
    public double MaxSeconds { get; set; } = 360;

    public double FramesPerSecond { get; set; } = 1;

    /// <summary>
    /// Auto: decode keyframes only when they are at most <see cref="KeyframeMaxGapSeconds"/> apart (most of the
    /// decoding cost saved), otherwise skip B-frames and deblocking where the codec allows it, and decode every frame
    /// for the rest (<see cref="VideoSampling"/>; <c>vmnet bench video</c> measures the cost and the cosine to the full
    /// decode). Full / Keyframes / NoBFrames force one way.
    /// </summary>
    public VideoSampling Sampling { get; set; } = VideoSampling.Auto;

    /// <summary>The longest keyframe gap (seconds) at which Auto decodes keyframes only; one sampling interval by default.</summary>
    public double KeyframeMaxGapSeconds { get; set; } = 1;

    /// <summary>Try the CUDA execution provider first; without CUDA the CPU provider runs.</summary>
    public bool UseCuda { get; set; } = true;

    /// <summary>CPU threads for one CNN run; 0 = all cores.</summary>
    public int IntraOpThreads { get; set; }

    public TimeSpan DecodeTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Dimensions kept by the frame-level whitened PCA when it is fitted.</summary>
    public int WpcaDimensions { get; set; } = 256;

    /// <summary>Dimensions of the final video vector once the video-level PCA is fitted.</summary>
    public int PcaDimensions { get; set; } = 512;

    /// <summary>The largest number of frames a WPCA fit reads (an even stride over all cached frames).</summary>
    public int MaxFitFrames { get; set; } = 100_000;

    internal string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
}
