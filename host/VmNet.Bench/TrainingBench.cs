using System.CommandLine;
using System.Text.Json;
using System.Diagnostics;
using System.Globalization;
using VmNet.Training;
using VmNet.Commands;
using Microsoft.Extensions.Configuration;

namespace VmNet.Bench;

/// <summary>Seconds per epoch and where they go, for the paper's loss and for the inter-modal-only baseline.</summary>
public sealed record TrainingBenchmarkResult(
    int Pairs, int MusicDim, int VideoDim, int BatchSize, int Threads, int Epochs,
    double SecondsPerEpoch, double ForwardSeconds, double LossSeconds, double BackwardSeconds, double StepSeconds, double ValidationSeconds,
    double BaselineSecondsPerEpoch, double RatioToBaseline, double TargetSecondsPerEpoch, double RatioToTarget,
    int BatchesPerEpoch = 0, double SecondsPerBatch = 0, double GemmSecondsPerBatch = 0, double RatioToGemm = 0, string LoadAverage = "")
{
    public string ToText() => string.Create(CultureInfo.InvariantCulture, $"""
        bench train: {Pairs} pairs, music {MusicDim}-d, video {VideoDim}-d, batch {BatchSize}, {Threads} threads, {Epochs} epoch(s), load average {LoadAverage}
          combined loss:  {SecondsPerEpoch:0.0} s/epoch  (forward {ForwardSeconds:0.0}, loss {LossSeconds:0.0}, backward {BackwardSeconds:0.0}, Adam step {StepSeconds:0.0}, validation {ValidationSeconds:0.0})
          per batch: {SecondsPerBatch * 1000:0} ms over {BatchesPerEpoch} batches; the same matrix products alone (forward, input and weight gradients of every layer): {GemmSecondsPerBatch * 1000:0} ms; batch / GEMM floor = {RatioToGemm:0.00}
          inter-only baseline: {BaselineSecondsPerEpoch:0.0} s/epoch; combined / baseline = {RatioToBaseline:0.00}
          target {TargetSecondsPerEpoch:0} s/epoch; measured / target = {RatioToTarget:0.00}
        """);
}

public static class TrainingBench
{
    public static Command Create()
    {
        var pairs = new Option<int>("--pairs") { Description = "Training pairs of synthetic random features", DefaultValueFactory = _ => 200_000 };
        var videoDim = new Option<int?>("--video-dim") { Description = "Video feature size (music is 1140; default: VideoFeatures:PcaDimensions, the size after the fitted video PCA, 512)" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs to time", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0: all cores)", DefaultValueFactory = _ => 0 };
        var command = new Command("train", "Seconds per training epoch at the real input sizes, where the time goes, and the structure loss's cost against an inter-modal-only baseline.")
        {
            pairs, videoDim, epochs, threads,
        };
        command.SetAction((parse, ct) =>
        {
            var configured = CommandContext.From(parse).Configuration.GetValue<int?>("VideoFeatures:PcaDimensions") ?? 512;
            var result = TrainingBench.Run(parse.GetValue(pairs), parse.GetValue(videoDim) ?? configured, parse.GetValue(epochs), parse.GetValue(threads), ct);
            Console.WriteLine(parse.GetValue(CliOptions.Json) ? JsonSerializer.Serialize(result, CliJson.Options) : result.ToText());
            return Task.FromResult(0);
        });
        return command;
    }

    public const int MusicDim = 1140;

    public static TrainingBenchmarkResult Run(int pairs, int videoDim, int epochs, int threads, CancellationToken cancellationToken)
    {
        var corpus = Synthetic(pairs, videoDim, seed: 1);
        var options = new TrainingOptions { MaxEpochs = epochs, Patience = epochs + 1, Threads = threads };
        var combined = Time(corpus, options, cancellationToken);
        var baseline = Time(corpus, options with { LossMode = LossMode.InterOnly }, cancellationToken);
        var per = combined.Total / epochs;
        var batches = (int)Math.Ceiling(pairs / (double)options.BatchSize);
        var perBatch = (combined.Forward + combined.Loss + combined.Backward + combined.Step) / epochs / batches;
        var gemm = GemmFloor(options, Math.Min(options.BatchSize, pairs), videoDim);
        return new TrainingBenchmarkResult(
            pairs, MusicDim, videoDim, options.BatchSize, TorchSharp.torch.get_num_threads(), epochs,
            per, combined.Forward / epochs, combined.Loss / epochs, combined.Backward / epochs, combined.Step / epochs, combined.Validation / epochs,
            baseline.Total / epochs, per / (baseline.Total / epochs), 180, per / 180,
            batches, perBatch, gemm, perBatch / gemm, LoadAverage());
    }

    /// <summary>
    /// Seconds for the matrix products one training batch cannot avoid, timed alone in this run: for every layer of
    /// both branches the forward product and the two backward ones (input and weight gradients). The epoch's
    /// per-batch time over this is how far the loop is from the machine's own matrix-multiply speed.
    /// </summary>
    public static double GemmFloor(TrainingOptions options, int batch, int videoDim)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var shapes = new List<(int In, int Out)>();
        foreach (var (input, hidden) in new[] { (MusicDim, options.MusicHidden), (videoDim, options.VideoHidden) })
        {
            var widths = new[] { input }.Concat(hidden).Append(options.EmbeddingDim).ToArray();
            shapes.AddRange(widths.Zip(widths.Skip(1)));
        }

        var tensors = shapes.Select(s => (
            X: TorchSharp.torch.rand(batch, s.In), W: TorchSharp.torch.rand(s.In, s.Out), G: TorchSharp.torch.rand(batch, s.Out))).ToList();
        void Once()
        {
            using var inner = TorchSharp.torch.NewDisposeScope();
            foreach (var (x, w, g) in tensors)
            {
                _ = x.mm(w);
                _ = g.mm(w.t());
                _ = x.t().mm(g);
            }
        }

        Once();
        const int rounds = 10;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < rounds; i++)
        {
            Once();
        }

        return watch.Elapsed.TotalSeconds / rounds;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static (double Total, double Forward, double Loss, double Backward, double Step, double Validation) Time(
        PairCorpus corpus, TrainingOptions options, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var result = TrainingRun.Train(corpus, options, null, cancellationToken);
        var total = watch.Elapsed.TotalSeconds;
        result.Model.Dispose();
        var h = result.History;
        return (total, h.Sum(e => e.ForwardSeconds), h.Sum(e => e.LossSeconds), h.Sum(e => e.BackwardSeconds), h.Sum(e => e.StepSeconds), h.Sum(e => e.ValidationSeconds));
    }

    // Random features of the real sizes: timing does not depend on their values.
    private static PairCorpus Synthetic(int pairs, int videoDim, int seed)
    {
        var random = new Random(seed);
        PairSet Set(string prefix, int n)
        {
            var music = new float[n * MusicDim];
            var video = new float[n * videoDim];
            for (var i = 0; i < music.Length; i++)
            {
                music[i] = random.NextSingle();
            }

            for (var i = 0; i < video.Length; i++)
            {
                video[i] = random.NextSingle();
            }

            return new PairSet([.. Enumerable.Range(0, n).Select(i => $"{prefix}{i}")], music, video, MusicDim, videoDim);
        }

        var validation = Math.Clamp(pairs / 20, 2, 2000);
        return new PairCorpus(Set("t", pairs), Set("v", validation), Set("x", 0), $"{pairs}-synthetic", null);
    }
}
