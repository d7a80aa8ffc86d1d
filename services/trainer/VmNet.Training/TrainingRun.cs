using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace VmNet.Training;

/// <summary>One epoch: mean loss terms over its batches, validation Recall@10 after it, and where its time went.</summary>
public sealed record EpochReport(
    int Epoch,
    int MaxEpochs,
    double Loss,
    double VideoToMusic,
    double MusicToVideo,
    double VideoStructure,
    double MusicStructure,
    double ValidationRecallAt10,
    bool Improved,
    double ForwardSeconds,
    double LossSeconds,
    double BackwardSeconds,
    double StepSeconds,
    double ValidationSeconds,
    double ValidationRecallAt1 = 0,
    double ValidationMedianRank = 0)
{
    /// <summary>
    /// Early-stopping order: validation R@10 first; on small validation sets R@10 saturates at 1, so ties are broken
    /// by R@1 and then by the lower median rank.
    /// </summary>
    public bool BetterThan(EpochReport? other) =>
        other is null
        || ValidationRecallAt10 > other.ValidationRecallAt10
        || (ValidationRecallAt10 == other.ValidationRecallAt10
            && (ValidationRecallAt1 > other.ValidationRecallAt1
                || (ValidationRecallAt1 == other.ValidationRecallAt1 && ValidationMedianRank < other.ValidationMedianRank)));

    /// <summary>
    /// <see cref="EarlyStopMetric.RecallAt10"/>: as <see cref="BetterThan(EpochReport?)"/>. <see cref="EarlyStopMetric.MedianRank"/>:
    /// the lower validation median rank (mean of both directions) first, ties broken by R@1 and then R@10.
    /// </summary>
    public bool BetterThan(EpochReport? other, EarlyStopMetric metric) =>
        metric == EarlyStopMetric.RecallAt10
            ? BetterThan(other)
            : other is null
              || ValidationMedianRank < other.ValidationMedianRank
              || (ValidationMedianRank == other.ValidationMedianRank
                  && (ValidationRecallAt1 > other.ValidationRecallAt1
                      || (ValidationRecallAt1 == other.ValidationRecallAt1 && ValidationRecallAt10 > other.ValidationRecallAt10)));

    public double TrainSeconds => ForwardSeconds + LossSeconds + BackwardSeconds + StepSeconds;
}

/// <summary>A trained network with the normalisers (and input projections) it was trained with; embeds raw features (eval mode).</summary>
public sealed class TrainedModel(
    VmNetNetwork network, FeatureNormalizer music, FeatureNormalizer video, TrainingOptions options,
    InputProjection? musicProjection = null, InputProjection? videoProjection = null) : IDisposable
{
    public VmNetNetwork Network { get; } = network;

    public FeatureNormalizer MusicNormalizer { get; } = music;

    public FeatureNormalizer VideoNormalizer { get; } = video;

    public TrainingOptions Options { get; } = options;

    public InputProjection? MusicProjection { get; } = musicProjection;

    public InputProjection? VideoProjection { get; } = videoProjection;

    public int EmbeddingDim => Options.EmbeddingDim;

    public float[] EmbedMusic(float[] rawRows) => Embed(Network.Music, MusicInput(rawRows));

    public float[] EmbedVideo(float[] rawRows) => Embed(Network.Video, VideoInput(rawRows));

    /// <summary>Raw music rows as the music branch takes them: standardised, then projected when configured.</summary>
    public float[] MusicInput(float[] rawRows) => Prepare(MusicNormalizer, MusicProjection, rawRows);

    public float[] VideoInput(float[] rawRows) => Prepare(VideoNormalizer, VideoProjection, rawRows);

    public RecallReport Evaluate(PairSet set) =>
        RecallAtK.Evaluate(EmbedMusic(set.Music), EmbedVideo(set.Video), EmbeddingDim);

    public void Dispose() => Network.Dispose();

    private static float[] Prepare(FeatureNormalizer normalizer, InputProjection? projection, float[] rawRows)
    {
        var standard = normalizer.Apply(rawRows);
        return projection?.Apply(standard) ?? standard;
    }

    private static float[] Embed(EmbeddingBranch branch, float[] input)
    {
        branch.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var dim = branch.InputDim;
        return branch.forward(tensor(input, [input.Length / dim, dim])).data<float>().ToArray();
    }
}

/// <summary>What a run produced: the best epoch's model and its figures.</summary>
public sealed record TrainingResult(TrainedModel Model, RecallReport Validation, RecallReport? Test, IReadOnlyList<EpochReport> History, int BestEpoch);

/// <summary>
/// Trains VM-NET on a split corpus: Adam over shuffled mini-batches, the combined (or inter-only) loss, validation
/// Recall@10 (mean of both directions) after each epoch, early stopping with the best epoch's weights kept.
/// Deterministic for a seed on a given machine and thread count.
/// </summary>
public static class TrainingRun
{
    // Torch's seed and thread count are process-wide: trainings in one process take turns, so each is reproducible.
    private static readonly Lock OneAtATime = new();

    public static TrainingResult Train(PairCorpus corpus, TrainingOptions options, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        lock (OneAtATime)
        {
            return TrainLocked(corpus, options, progress, cancellationToken);
        }
    }

    private static TrainingResult TrainLocked(PairCorpus corpus, TrainingOptions options, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        if (options.Threads > 0)
        {
            set_num_threads(options.Threads);
        }

        random.manual_seed(options.Seed);
        var musicNorm = FeatureNormalizer.Fit(corpus.Train.Music, corpus.MusicDim);
        var videoNorm = FeatureNormalizer.Fit(corpus.Train.Video, corpus.VideoDim);
        InputProjection? musicProjection, videoProjection;
        if (options.Init == InitMode.Cca)
        {
            // The baseline's own fit on the same training split (same standardisation), keeping every canonical
            // direction its PCA gives: the network may use the weaker ones, it starts from the leading CcaComponents.
            var cca = CcaBaseline.Fit(corpus.Train, new CcaOptions { PcaDims = options.CcaPcaDims, Components = options.CcaPcaDims, Regularisation = options.CcaRegularisation });
            (musicProjection, videoProjection) = (cca.MusicProjection(), cca.VideoProjection());
        }
        else
        {
            musicProjection = options.MusicPcaDims > 0
                ? InputProjection.Fit(musicNorm.Apply(corpus.Train.Music), corpus.MusicDim, options.MusicPcaDims, options.PcaWhiten)
                : null;
            videoProjection = options.VideoPcaDims > 0
                ? InputProjection.Fit(videoNorm.Apply(corpus.Train.Video), corpus.VideoDim, options.VideoPcaDims, options.PcaWhiten)
                : null;
        }

        var network = new VmNetNetwork(
            musicProjection?.OutputDim ?? corpus.MusicDim, videoProjection?.OutputDim ?? corpus.VideoDim, options);
        var model = new TrainedModel(network, musicNorm, videoNorm, options, musicProjection, videoProjection);
        try
        {
            return TrainLoop(corpus, options, model, progress, cancellationToken);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static TrainingResult TrainLoop(PairCorpus corpus, TrainingOptions options, TrainedModel model, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var network = model.Network;
        var n = corpus.Train.Count;
        using var music = tensor(model.MusicInput(corpus.Train.Music), [n, network.Music.InputDim]);
        using var video = tensor(model.VideoInput(corpus.Train.Video), [n, network.Video.InputDim]);
        using var optimizer = optim.Adam(network.parameters(), options.LearningRate, weight_decay: options.WeightDecay);
        var schedule = options.LearningRateDecay < 1 ? optim.lr_scheduler.ExponentialLR(optimizer, options.LearningRateDecay) : null;
        using var shuffle = new Generator((ulong)options.Seed);
        var history = new List<EpochReport>();
        EpochReport? best = null;
        var bestEpoch = 0;
        Dictionary<string, Tensor>? bestState = null;
        var sinceBest = 0;
        try
        {
            if (options.Init == InitMode.Cca)
            {
                // Epoch 0 is the CCA baseline itself: the run keeps it unless training beats it on validation.
                var start = Validate(0, model, corpus, options) with { Improved = true };
                (best, bestEpoch) = (start, 0);
                bestState = network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
                history.Add(start);
                progress?.Report(start);
            }

            for (var epoch = 1; epoch <= options.MaxEpochs; epoch++)
            {
                var report = RunEpoch(epoch, model, music, video, optimizer, shuffle, corpus, options, cancellationToken);
                schedule?.step();
                var improved = report.BetterThan(best, options.EarlyStopping);
                if (improved)
                {
                    best = report;
                    bestEpoch = epoch;
                    DisposeState(bestState);
                    bestState = network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
                    sinceBest = 0;
                }
                else
                {
                    sinceBest++;
                }

                report = report with { Improved = improved };
                history.Add(report);
                progress?.Report(report);
                if (sinceBest >= options.Patience)
                {
                    break;
                }
            }

            if (bestState is not null)
            {
                network.load_state_dict(bestState);
            }
        }
        finally
        {
            DisposeState(bestState);
        }

        network.eval();
        var validation = model.Evaluate(corpus.Validation);
        var test = corpus.Test.Count >= 2 ? model.Evaluate(corpus.Test) : null;
        return new TrainingResult(model, validation, test, history, bestEpoch);
    }

    private static EpochReport RunEpoch(
        int epoch, TrainedModel model, Tensor music, Tensor video, optim.Optimizer optimizer, Generator shuffle,
        PairCorpus corpus, TrainingOptions options, CancellationToken cancellationToken)
    {
        var network = model.Network;
        network.train();
        var n = music.shape[0];
        using var order = randperm(n, generator: shuffle);
        double forward = 0, lossTime = 0, backward = 0, step = 0;
        double total = 0, v2m = 0, m2v = 0, sv = 0, sm = 0;
        var batches = 0;
        var watch = new Stopwatch();
        for (long start = 0; start + 1 < n; start += options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var end = Math.Min(n, start + options.BatchSize);
            var index = order[(int)start..(int)end];
            var musicBatch = music.index_select(0, index);
            var videoBatch = video.index_select(0, index);

            watch.Restart();
            var musicEmbedding = network.Music.forward(musicBatch);
            var videoEmbedding = network.Video.forward(videoBatch);
            forward += Lap(watch);
            var terms = VmNetLoss.Combined(musicBatch, videoBatch, musicEmbedding, videoEmbedding, options);
            lossTime += Lap(watch);
            optimizer.zero_grad();
            terms.Total.backward();
            backward += Lap(watch);
            optimizer.step();
            step += Lap(watch);

            total += terms.Total.ToDouble();
            v2m += terms.VideoToMusic;
            m2v += terms.MusicToVideo;
            sv += terms.VideoStructure;
            sm += terms.MusicStructure;
            batches++;
        }

        batches = Math.Max(batches, 1);
        return Validate(epoch, model, corpus, options) with
        {
            Loss = total / batches, VideoToMusic = v2m / batches, MusicToVideo = m2v / batches, VideoStructure = sv / batches,
            MusicStructure = sm / batches, ForwardSeconds = forward, LossSeconds = lossTime, BackwardSeconds = backward, StepSeconds = step,
        };
    }

    // The validation figures after an epoch (no loss terms or train times: the caller adds them).
    private static EpochReport Validate(int epoch, TrainedModel model, PairCorpus corpus, TrainingOptions options)
    {
        var watch = Stopwatch.StartNew();
        var validation = model.Evaluate(corpus.Validation);
        return new EpochReport(
            epoch, options.MaxEpochs, 0, 0, 0, 0, 0, validation.MeanRecallAt10, Improved: false, 0, 0, 0, 0, watch.Elapsed.TotalSeconds,
            (validation.VideoToMusic.At(1) + validation.MusicToVideo.At(1)) / 2,
            (validation.VideoToMusic.MedianRank + validation.MusicToVideo.MedianRank) / 2);
    }

    private static double Lap(Stopwatch watch)
    {
        var seconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        return seconds;
    }

    private static void DisposeState(Dictionary<string, Tensor>? state)
    {
        foreach (var tensor in state?.Values ?? Enumerable.Empty<Tensor>())
        {
            tensor.Dispose();
        }
    }
}
