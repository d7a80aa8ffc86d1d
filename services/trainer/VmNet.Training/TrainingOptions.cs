namespace VmNet.Training;

/// <summary>Which loss terms train the network: the paper's full loss, or the inter-modal ranking alone (ablation).</summary>
public enum LossMode
{
    Combined,
    InterOnly,
}

/// <summary>What early stopping keeps: the epoch with the best validation R@10, or the lowest validation median rank.</summary>
public enum EarlyStopMetric
{
    RecallAt10,
    MedianRank,
}

/// <summary>
/// Hyper-parameters of one training run. Defaults follow the paper and its reference code: music branch
/// 2048-1024-1024-512 and video branch 2048-1024 (FC+ReLU+dropout), each then FC 512 → batch norm → L2; Adam
/// at 3e-4, batch 1024, margin 0.1 over the top-100 violating negatives, λ = 3, 1, 0.2, 0.2.
/// </summary>
public sealed record TrainingOptions
{
    public int[] MusicHidden { get; init; } = [2048, 1024, 1024, 512];

    public int[] VideoHidden { get; init; } = [2048, 1024];

    public int EmbeddingDim { get; init; } = 512;

    /// <summary>Dropout after each hidden ReLU (the reference keeps 0.9).</summary>
    public double Dropout { get; init; } = 0.1;

    public LossMode LossMode { get; init; } = LossMode.Combined;

    /// <summary>ε of the inter-modal ranking loss.</summary>
    public double Margin { get; init; } = 0.1;

    /// <summary>Q: most violating negatives per anchor, and anchors of the structure loss.</summary>
    public int TopQ { get; init; } = 100;

    /// <summary>λ1: video → music ranking (video anchors). λ1 &gt; λ2 helps (paper).</summary>
    public double LambdaVideoToMusic { get; init; } = 3;

    /// <summary>λ2: music → video ranking (music anchors).</summary>
    public double LambdaMusicToVideo { get; init; } = 1;

    /// <summary>λ3: video structure loss.</summary>
    public double LambdaVideoStructure { get; init; } = 0.2;

    /// <summary>λ4: music structure loss.</summary>
    public double LambdaMusicStructure { get; init; } = 0.2;

    public int BatchSize { get; init; } = 1024;

    public double LearningRate { get; init; } = 3e-4;

    public int MaxEpochs { get; init; } = 60;

    /// <summary>Epochs without a better validation R@10 before stopping.</summary>
    public int Patience { get; init; } = 8;

    public int Seed { get; init; } = 42;

    /// <summary>
    /// Principal components of the standardised music features fed to the music branch (0: the standardised
    /// features themselves). Fitted on the training split, capped at n_train − 1.
    /// </summary>
    public int MusicPcaDims { get; init; }

    /// <summary>As <see cref="MusicPcaDims"/> for the video branch.</summary>
    public int VideoPcaDims { get; init; }

    /// <summary>Divide each principal component by its standard deviation (PCA whitening).</summary>
    public bool PcaWhiten { get; init; }

    /// <summary>Adam's L2 weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Learning rate multiplied by this after every epoch (1: constant).</summary>
    public double LearningRateDecay { get; init; } = 1;

    public EarlyStopMetric EarlyStopping { get; init; } = EarlyStopMetric.RecallAt10;

    public double ValidationFraction { get; init; } = 0.1;

    public double TestFraction { get; init; } = 0.1;

    /// <summary>Torch intra-op threads; 0 keeps torch's default (all cores).</summary>
    public int Threads { get; init; }

    public void Validate()
    {
        if (MusicHidden.Any(w => w <= 0) || VideoHidden.Any(w => w <= 0) || EmbeddingDim <= 0)
        {
            throw new ArgumentException("layer widths must be positive");
        }

        if (BatchSize < 2 || TopQ < 1 || MaxEpochs < 1 || Patience < 1 || LearningRate <= 0)
        {
            throw new ArgumentException("batch size ≥ 2, top-Q ≥ 1, epochs ≥ 1, patience ≥ 1 and a positive learning rate are required");
        }

        if (MusicPcaDims < 0 || VideoPcaDims < 0 || WeightDecay < 0 || LearningRateDecay is <= 0 or > 1)
        {
            throw new ArgumentException("PCA sizes and weight decay must not be negative, the learning-rate decay in (0, 1]");
        }

        if (Dropout is < 0 or >= 1 || ValidationFraction <= 0 || TestFraction < 0 || ValidationFraction + TestFraction >= 1)
        {
            throw new ArgumentException("dropout in [0, 1), validation fraction > 0 and validation + test < 1 are required");
        }
    }
}
