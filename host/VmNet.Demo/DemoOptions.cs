namespace VmNet.Demo;

/// <summary>What <c>vmnet demo</c> runs on and how hard it trains.</summary>
public sealed record DemoOptions
{
    /// <summary>
    /// Defaults sized for ≤ 10 minutes on a 2-core machine: the corpus render, the audio features (HPSS over a
    /// 29.12 s window whatever the clip length) and the CNN at 1 frame/s dominate, roughly linearly in pairs.
    /// </summary>
    public const int DefaultPairs = 200;

    public const double DefaultSeconds = 8;

    /// <summary>The data directory: store, models, the generated corpus and the report.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>A folder of the user's music videos instead of a generated corpus.</summary>
    public string? CorpusDirectory { get; init; }

    public int Pairs { get; init; } = DefaultPairs;

    /// <summary>Which generator renders the corpus (ignored with <see cref="CorpusDirectory"/>).</summary>
    public VmNet.Corpus.CorpusStyle CorpusStyle { get; init; } = VmNet.Corpus.CorpusStyle.Classic;

    public double Seconds { get; init; } = DefaultSeconds;

    /// <summary>Seeds the corpus, the training and nothing else.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Trainings per loss, seeded <see cref="Seed"/>, Seed + 1, ...; the figures are their mean and sd.</summary>
    public int Seeds { get; init; } = 1;

    /// <summary>Video-only uploads tagged with soundtracks once the model is live (generated corpus only).</summary>
    public int Uploads { get; init; } = 3;

    /// <summary>Music-only tracks added to the catalogue (generated corpus; null: a tenth of the pairs, at least 1).</summary>
    public int? MusicOnly { get; init; }

    /// <summary>Maximum training epochs per model (early stopping on validation R@10 usually ends sooner).</summary>
    public int Epochs { get; init; } = 60;

    /// <summary>
    /// Mini-batch size. Smaller than the paper's 1024: a few hundred training pairs would otherwise make one step
    /// per epoch, and the top-Q negatives come from the batch.
    /// </summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Epochs without a better validation R@10 before training stops.</summary>
    public int Patience { get; init; } = 12;

    /// <summary>Share of pairs held out for the reported figures (by media id).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>
    /// Share of pairs for early stopping. Larger than the trainer's 10 %: early stopping watches validation R@10,
    /// which saturates at 1 on a gallery of 10 or fewer pairs and then never improves again.
    /// </summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Example gRPC queries (each a video→music and a music→video query for one test pair).</summary>
    public int Queries { get; init; } = 3;

    /// <summary>Longest wait for one item, a model activation or a suggestion.</summary>
    public TimeSpan ItemTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Configuration for the in-process host on top of the demo's own (e.g. from the command line).</summary>
    public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("a data directory is required");
        }

        if (CorpusDirectory is null && Pairs < 8)
        {
            throw new ArgumentException($"--pairs must be at least 8 so that training, validation and test each get pairs (got {Pairs})");
        }

        if (CorpusDirectory is not null && !Directory.Exists(CorpusDirectory))
        {
            throw new ArgumentException($"--corpus folder '{CorpusDirectory}' does not exist");
        }

        if (Seconds is <= 0 or > 600 || !double.IsFinite(Seconds))
        {
            throw new ArgumentException($"--seconds must be in (0, 600] (got {Seconds})");
        }

        if (Seeds is < 1 or > 20)
        {
            throw new ArgumentException($"--seeds must be in [1, 20] (got {Seeds})");
        }

        if (Epochs < 1 || BatchSize < 2 || Patience < 1 || Uploads < 0 || Queries < 0 || MusicOnly < 0)
        {
            throw new ArgumentException("--epochs and patience must be at least 1, the batch size at least 2; uploads, queries and music-only tracks not negative");
        }

        if (TestFraction <= 0 || ValidationFraction <= 0 || TestFraction + ValidationFraction >= 0.9)
        {
            throw new ArgumentException("test and validation fractions must be positive and leave at least 10% for training");
        }
    }
}
