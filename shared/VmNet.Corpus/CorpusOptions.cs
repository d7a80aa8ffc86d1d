namespace VmNet.Corpus;

/// <summary>What to generate and where. Everything but <see cref="OutputDirectory"/> and <see cref="MaxParallelism"/> is the recipe.</summary>
public sealed record CorpusOptions
{
    public const int MaxItems = 100_000;
    public const double MaxSeconds = 600;

    /// <summary>Folder for the media files and <c>corpus.json</c>; created when missing.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Music videos (H.264 + AAC MP4).</summary>
    public int Pairs { get; init; } = 100;

    /// <summary>Music-only tracks (AAC in .m4a).</summary>
    public int MusicOnly { get; init; }

    /// <summary>Video-only uploads (H.264 MP4 without audio).</summary>
    public int VideoOnly { get; init; }

    public double Seconds { get; init; } = 10;

    public int Seed { get; init; } = 1;

    /// <summary>Which generator recipe: the classic one or the differently made neon one (<see cref="CorpusStyle"/>).</summary>
    public CorpusStyle Style { get; init; } = CorpusStyle.Classic;

    /// <summary>
    /// Frame size. The video features sample 1 frame/s and resize to 224×224 for the CNN; rendering at that
    /// size keeps textures and grain sharp for it, and costs little next to encoding.
    /// </summary>
    public int Width { get; init; } = 224;

    public int Height { get; init; } = 224;

    public int FramesPerSecond { get; init; } = 10;

    /// <summary>Audio rate; the audio features resample to 12 kHz, so anything above 12 kHz keeps all they see.</summary>
    public int SampleRate { get; init; } = 22_050;

    /// <summary>Items rendered at once (each runs one single-threaded ffmpeg).</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    public CorpusRecipe Recipe => new(Pairs, MusicOnly, VideoOnly, Seconds, Seed, Width, Height, FramesPerSecond, SampleRate, Style);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputDirectory))
        {
            throw new ArgumentException("the output directory is required", nameof(OutputDirectory));
        }

        Require(Pairs >= 1, nameof(Pairs), $"pairs must be at least 1 (got {Pairs})");
        Require(MusicOnly >= 0, nameof(MusicOnly), $"music-only count must not be negative (got {MusicOnly})");
        Require(VideoOnly >= 0, nameof(VideoOnly), $"video-only count must not be negative (got {VideoOnly})");
        Require((long)Pairs + MusicOnly + VideoOnly <= MaxItems, nameof(Pairs), $"at most {MaxItems} items in all");
        Require(Seconds > 0 && double.IsFinite(Seconds), nameof(Seconds), $"seconds must be greater than 0 (got {Seconds})");
        Require(Seconds <= MaxSeconds, nameof(Seconds), $"seconds must be at most {MaxSeconds} (got {Seconds})");
        Require(Width is >= 32 and <= 1920 && Width % 2 == 0, nameof(Width), $"width must be even, 32 to 1920 (got {Width})");
        Require(Height is >= 32 and <= 1080 && Height % 2 == 0, nameof(Height), $"height must be even, 32 to 1080 (got {Height})");
        Require(FramesPerSecond is >= 1 and <= 60, nameof(FramesPerSecond), $"frames per second must be 1 to 60 (got {FramesPerSecond})");
        Require(SampleRate is >= 8_000 and <= 48_000, nameof(SampleRate), $"sample rate must be 8000 to 48000 Hz (got {SampleRate})");
        Require(MaxParallelism >= 1, nameof(MaxParallelism), $"parallelism must be at least 1 (got {MaxParallelism})");
    }

    private static void Require(bool condition, string name, string message)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, message);
        }
    }
}

/// <summary>
/// The options that decide a corpus's content: equal recipes give byte-identical manifests. A manifest written
/// before <see cref="Style"/> existed reads as classic, which is what it is.
/// </summary>
public sealed record CorpusRecipe(
    int Pairs, int MusicOnly, int VideoOnly, double Seconds, int Seed, int Width, int Height, int FramesPerSecond, int SampleRate,
    CorpusStyle Style = CorpusStyle.Classic);
