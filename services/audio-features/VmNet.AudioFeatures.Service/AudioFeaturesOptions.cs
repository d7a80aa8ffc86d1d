namespace VmNet.AudioFeatures.Service;

/// <summary>The <c>AudioFeatures</c> configuration section.</summary>
public sealed class AudioFeaturesOptions
{
    public const string Section = "AudioFeatures";

    /// <summary>Longest audio accepted (decoded length); longer files are refused, not cropped blindly.</summary>
    public double MaxDurationSeconds { get; set; } = 3600;

    /// <summary>Time FFmpeg may take to decode one file.</summary>
    public TimeSpan DecodeTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
