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
/// How the branches start. <see cref="Random"/>: the paper's network, He-normal weights. <see cref="Cca"/>: from the
/// linear CCA baseline fitted on the same training split — the branch input is the CCA projection (a fixed linear layer
/// after the normaliser), a linear skip starts as the identity onto the leading canonical components and a residual
/// MLP (the hidden widths) starts at zero, so the untrained network ranks exactly as CCA does.
/// </summary>
public enum InitMode
{
    Random,
    Cca,
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

    /// <summary>How the branches start (<see cref="InitMode"/>); <see cref="InitMode.Cca"/> also evaluates epoch 0.</summary>
    public InitMode Init { get; init; } = InitMode.Random;

    /// <summary>With <see cref="InitMode.Cca"/>: canonical components the embedding starts from (the baseline's 16).</summary>
    public int CcaComponents { get; init; } = 16;

    /// <summary>
    /// With <see cref="InitMode.Cca"/>: principal components per modality before CCA (the baseline's 32); every
    /// canonical direction they give (up to this many) is a branch input, the leading <see cref="CcaComponents"/> start
    /// in the embedding.
    /// </summary>
    public int CcaPcaDims { get; init; } = 32;

    /// <summary>With <see cref="InitMode.Cca"/>: the CCA ridge ρ (the baseline's 0.1).</summary>
    public double CcaRegularisation { get; init; } = 0.1;

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

        // Zero epochs is meaningful only from CCA: the model is then the baseline itself.
        if (BatchSize < 2 || TopQ < 1 || MaxEpochs < (Init == InitMode.Cca ? 0 : 1) || Patience < 1 || LearningRate <= 0)
        {
            throw new ArgumentException("batch size ≥ 2, top-Q ≥ 1, epochs ≥ 1 (≥ 0 from CCA), patience ≥ 1 and a positive learning rate are required");
        }

        // The structure loss compares each anchor's neighbouring columns among the first Q items: Q = 1 leaves none,
        // and training would fail on its first batch instead of here.
        if (LossMode == LossMode.Combined && TopQ < 2)
        {
            throw new ArgumentException($"the combined loss needs top-Q ≥ 2 (its structure term compares neighbouring anchors; got {TopQ})");
        }

        if (Init == InitMode.Cca)
        {
            new CcaOptions { PcaDims = CcaPcaDims, Components = CcaComponents, Regularisation = CcaRegularisation }.Validate();
            if (MusicPcaDims > 0 || VideoPcaDims > 0)
            {
                throw new ArgumentException("the CCA initialisation brings its own PCA: leave MusicPcaDims and VideoPcaDims at 0");
            }

            if (EmbeddingDim < CcaComponents || CcaComponents > CcaPcaDims)
            {
                throw new ArgumentException($"from CCA the embedding ({EmbeddingDim}) must hold the {CcaComponents} components, and they must not exceed the {CcaPcaDims} PCA dimensions");
            }
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
