namespace VmNet.Search;

/// <summary>The <c>Search</c> configuration section.</summary>
public sealed class SearchOptions
{
    public const string Section = "Search";

    /// <summary>The dedicated gRPC endpoint: plain-text HTTP/2 (h2c), or TLS when a certificate is configured.</summary>
    public string GrpcUrl { get; set; } = "http://127.0.0.1:5081";

    /// <summary>
    /// The web page, the REST/JSON API (gRPC JSON transcoding) and its OpenAPI document: HTTP/1.1, and HTTP/2 as well
    /// when a certificate is configured (browsers negotiate it by ALPN; cleartext cannot offer both on one port).
    /// </summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:5080";

    public CertificateOptions Certificate { get; set; } = new();

    /// <summary>
    /// Refuse to start unless the gRPC endpoint speaks TLS (default false, so a loopback h2c endpoint works out of the
    /// box; the compose file sets it): API keys then never cross the network in clear text.
    /// </summary>
    public bool RequireTls { get; set; }

    /// <summary>
    /// gRPC server reflection (lists every service and message; what grpcurl uses). Default false: it maps the whole
    /// API for whoever can reach the port; turn it on for local debugging.
    /// </summary>
    public bool EnableReflection { get; set; }

    /// <summary>Limits of preview renders (<c>Search:Preview</c>).</summary>
    public PreviewOptions Preview { get; set; } = new();

    /// <summary>Key admin calls must send as <c>x-api-key</c>; with none configured admin calls are refused.</summary>
    public string? AdminApiKey { get; set; }

    /// <summary>Key queries must send as <c>x-api-key</c>; with none configured queries are open.</summary>
    public string? QueryApiKey { get; set; }

    public int DefaultTopK { get; set; } = 10;

    public int MaxTopK { get; set; } = 100;

    /// <summary>Largest uploaded clip (default 64 MiB); more is RESOURCE_EXHAUSTED.</summary>
    public long MaxClipBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Longest music clip accepted (default 600 s), checked on ffprobe's duration before decoding; decoding stops just past
    /// it, so one clip's decoded samples stay under about 29 MB (600 s × 12 kHz × 4 bytes).
    /// </summary>
    public double MaxClipSeconds { get; set; } = 600;

    /// <summary>Clips handled at once (default 2); one more is RESOURCE_EXHAUSTED at once rather than queued.</summary>
    public int MaxConcurrentClips { get; set; } = 2;

    /// <summary>Longest time decoding and extracting one clip may take.</summary>
    public TimeSpan ClipTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How often the live generation is read even though no <c>ModelActivated</c> came (lost, or the generation was
    /// flipped by hand): a safety net, so slow. Activations announced on the bus are acted on when they arrive.
    /// </summary>
    public TimeSpan ModelPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Tracks in a <c>SoundtrackSuggested</c>.</summary>
    public int SuggestionTopK { get; set; } = 10;

    /// <summary>Blocks per side listed when a match is explained.</summary>
    public int ExplainBlocks { get; set; } = 3;

    /// <summary>Catalogue items read (at most) for the per-modality mean an explanation compares against (default 10 000).</summary>
    public int ExplainMeanSample { get; set; } = 10_000;

    /// <summary>How long that mean is reused before it is read again (default 10 min).</summary>
    public TimeSpan ExplainMeanRefresh { get; set; } = TimeSpan.FromMinutes(10);
}

public sealed class PreviewOptions
{
    /// <summary>Renders at once (default 1): each holds an FFmpeg encode, a decoded track and temp files. One more is RESOURCE_EXHAUSTED.</summary>
    public int MaxConcurrent { get; set; } = 1;

    /// <summary>Longest video rendered (default 300 s), from ffprobe before any work.</summary>
    public double MaxVideoSeconds { get; set; } = 300;

    /// <summary>Largest MP4 produced (default 256 MiB; FFmpeg's <c>-fs</c>); a render that reaches it is refused.</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Longest a render may take, upload to encoded file.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);
}

public sealed class CertificateOptions
{
    /// <summary>
    /// The server certificate: a PEM file with <see cref="KeyPath"/>, or a PKCS#12 (.pfx) file; when set the gRPC
    /// endpoint speaks TLS (HTTP/2 via ALPN).
    /// </summary>
    public string? Path { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="Path"/>; without it <see cref="Path"/> is read as PKCS#12.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of the .pfx or of an encrypted PEM key (or <c>Search:Certificate:PasswordFile</c>).</summary>
    public string? Password { get; set; }
}
