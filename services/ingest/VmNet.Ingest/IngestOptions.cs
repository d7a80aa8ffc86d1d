namespace VmNet.Ingest;

/// <summary>The <c>Ingest</c> configuration section.</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>Folders local paths may come from; empty means the working directory only.</summary>
    public List<string> MediaRoots { get; set; } = [];

    /// <summary>Largest file accepted, downloaded or local (default 2 GiB).</summary>
    public long MaxBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Longest media accepted (default 1 h).</summary>
    public double MaxDurationSeconds { get; set; } = 3600;

    /// <summary>
    /// Largest video frame accepted, in pixels (default 4096 × 4096): a frame size is what a decoder allocates per
    /// frame, and a tiny file can declare 8K or more. Checked on ffprobe's stream description, before decoding.
    /// </summary>
    public long MaxVideoPixels { get; set; } = 4096L * 4096;

    /// <summary>The yt-dlp program used for YouTube ids and YouTube URLs.</summary>
    public string YtDlp { get; set; } = "yt-dlp";

    /// <summary>
    /// Networks (CIDR) downloads may reach besides public addresses; empty (the default) means loopback, link-local,
    /// private and other non-public ranges are refused.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan FfmpegTimeout { get; set; } = TimeSpan.FromMinutes(10);

    public IReadOnlyList<string> EffectiveMediaRoots =>
        MediaRoots.Count > 0 ? MediaRoots.Select(Path.GetFullPath).ToList() : [Environment.CurrentDirectory];
}
