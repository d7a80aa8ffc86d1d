namespace VmNet.ServiceDefaults;

/// <summary>The service roles one <c>vmnet</c> process can run, alone or together.</summary>
public static class Role
{
    public const string Ingest = "ingest";
    public const string AudioFeatures = "audio-features";
    public const string VideoFeatures = "video-features";
    public const string Embedder = "embedder";
    public const string Search = "search";
    public const string Trainer = "trainer";

    public static IReadOnlyList<string> All { get; } = [Ingest, AudioFeatures, VideoFeatures, Embedder, Search, Trainer];
}
