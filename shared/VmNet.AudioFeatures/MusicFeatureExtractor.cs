using System.Diagnostics;
using NWaves.Filters.Fda;
using VmNet.Media;
using static VmNet.AudioFeatures.AudioFeatureLayout;

namespace VmNet.AudioFeatures;

/// <summary>The features of one track. <see cref="FrameMatrix"/> (when asked for) is frame-major: frame t, row r at t·380 + r.</summary>
public sealed record MusicFeatures(float[] Vector, int Frames, double? TempoBpm, double DurationSeconds, float[]? FrameMatrix);

/// <summary>
/// VM-NET's music features as the reference recipe computes them with librosa 0.5.1: 12 kHz mono, the centre 29.12 s
/// (zero-padded at the end when shorter), HPSS, then 190 features per frame for the harmonic and the percussive signal,
/// each block in log-amplitude against its own maximum; mean, population variance and max over the 1366 frames.
/// Thread-safe: every call builds its own scratch buffers. With <paramref name="parallel"/> one track uses two cores (HPSS's
/// two median filters and inversions, then the harmonic and the percussive features side by side, the same values):
/// for a single track's latency; many tracks are faster one per core with it off.
/// </summary>
public sealed class MusicFeatureExtractor(StageTimer? timer = null, bool parallel = false)
{
    public const int StftSize = 512;

    private static readonly Lazy<FilterBank> Mel96 = new(() =>
        // The recipe calls melspectrogram without sr, so the bank is librosa's default 22050 Hz one (0–11025 Hz) laid over a 12 kHz spectrum.
        new FilterBank(FilterBanks.MelBankSlaney(96, StftSize, 22050, 0, 11025, true)));

    private static readonly Lazy<Mfcc> MfccBank = new(() => new Mfcc(SampleRate));
    private static readonly Lazy<PolyFeatures> Poly1 = new(() => new PolyFeatures(1, (StftSize / 2) + 1, SampleRate));
    private static readonly Lazy<PolyFeatures> Poly2 = new(() => new PolyFeatures(2, (StftSize / 2) + 1, SampleRate));

    /// <summary>
    /// Compiles this library's code (the FFTs included) and builds the shared filter banks on a pool thread. A one-shot
    /// command starts it before <see cref="FromFileAsync"/>: the JIT then runs while FFmpeg decodes, not after it
    /// (the first track of a process spent ≈ 100 ms more CPU than the next ones; services/audio-features/README.md).
    /// </summary>
    public static Task PrepareAsync() => Task.Run(() =>
    {
        _ = (Mel96.Value, MfccBank.Value, Poly1.Value, Poly2.Value);
        foreach (var type in typeof(MusicFeatureExtractor).Assembly.GetTypes()
            .Concat([typeof(BatchRealFft<float>), typeof(BatchRealFft<double>)]))
        {
            if (type.ContainsGenericParameters)
            {
                continue;
            }

            const System.Reflection.BindingFlags all = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic
                | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly;
            foreach (var method in type.GetMethods(all).Cast<System.Reflection.MethodBase>().Concat(type.GetConstructors(all)))
            {
                if (method.IsAbstract || method.ContainsGenericParameters || method.GetMethodBody() is null)
                {
                    continue;
                }

                try
                {
                    System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException)
                {
                    // A method the runtime will not compile ahead of its call (e.g. one with a by-ref-like generic context): left to the call.
                }
            }
        }
    });

    /// <summary>
    /// Decodes any FFmpeg-readable file to 12 kHz mono (resampy-like Kaiser sinc, see <see cref="FfmpegAudio"/>) and extracts
    /// its features. Only the centre window the crop keeps is decoded (<see cref="FfmpegAudioWindow"/>): the same samples.
    /// </summary>
    public async Task<MusicFeatures> FromFileAsync(
        string path, bool keepFrames, TimeSpan timeout, double maxSeconds, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var decoded = await FfmpegAudioWindow.DecodeCentreAsync(path, SampleRate, ClipSamples, timeout, cancellationToken, maxSeconds);
        timer?.Add("decode", start);
        if (decoded.TotalSamples == 0)
        {
            throw new MediaDecodeException("the file holds no audio samples");
        }

        if (decoded.TotalSamples > maxSeconds * SampleRate)
        {
            throw new MediaDecodeException($"audio is {decoded.TotalSamples / (double)SampleRate:0} s long, more than the {maxSeconds:0} s allowed");
        }

        var (vector, frames, tempo, matrix) = FromClip(CentreClip(decoded.Samples), keepFrames);
        return new MusicFeatures(vector, frames, tempo, decoded.TotalSamples / (double)SampleRate, matrix);
    }

    /// <summary>Features of a whole decoded track at 12 kHz (cropped or padded here).</summary>
    public MusicFeatures FromSamples(ReadOnlySpan<float> samples, bool keepFrames = false)
    {
        var clip = CentreClip(samples);
        var (vector, frames, tempo, matrix) = FromClip(clip, keepFrames);
        return new MusicFeatures(vector, frames, tempo, samples.Length / (double)SampleRate, matrix);
    }

    /// <summary>
    /// The recipe's crop: longer tracks keep samples [(n − 349440) / 2, (n + 349440) / 2), shorter ones get zeros at the end.
    /// Non-finite samples become 0 (librosa would carry NaN through every feature).
    /// </summary>
    public static float[] CentreClip(ReadOnlySpan<float> samples)
    {
        var clip = new float[ClipSamples];
        var source = samples.Length > ClipSamples ? samples.Slice((samples.Length - ClipSamples) / 2, ClipSamples) : samples;
        source.CopyTo(clip);
        for (var i = 0; i < clip.Length; i++)
        {
            clip[i] = float.IsFinite(clip[i]) ? clip[i] : 0f;
        }

        return clip;
    }

    /// <summary>Features of a clip of exactly <see cref="AudioFeatureLayout.ClipSamples"/> samples.</summary>
    public (float[] Vector, int Frames, double? TempoBpm, float[]? FrameMatrix) FromClip(ReadOnlySpan<float> clip, bool keepFrames = false)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(clip.Length, ClipSamples);
        var start = Stopwatch.GetTimestamp();
        var harmonic = new float[ClipSamples];
        var percussive = new float[ClipSamples];
        new Hpss(parallel).Separate(clip, harmonic, percussive);
        timer?.Add("hpss", start);

        var frames = Frames;
        var rows = new float[PerFrame * frames];
        var logMel = new float[Mfcc.Mels * frames];
        if (parallel)
        {
            Parallel.Invoke(
                () => Component(harmonic, rows.AsSpan(0, PerComponent * frames), null),
                () => Component(percussive, rows.AsSpan(PerComponent * frames), logMel));
        }
        else
        {
            Component(harmonic, rows.AsSpan(0, PerComponent * frames), null);
            Component(percussive, rows.AsSpan(PerComponent * frames), logMel);
        }

        start = Stopwatch.GetTimestamp();
        var tempo = TempoEstimator.Estimate(logMel, Mfcc.Mels, (double)SampleRate / HopLength);
        var vector = Aggregate(rows, frames);
        float[]? matrix = null;
        if (keepFrames)
        {
            matrix = new float[frames * PerFrame];
            for (var r = 0; r < PerFrame; r++)
            {
                for (var t = 0; t < frames; t++)
                {
                    matrix[(t * PerFrame) + r] = rows[(r * frames) + t];
                }
            }
        }

        timer?.Add("aggregate+tempo", start);
        return (vector, frames, tempo, matrix);
    }

    /// <summary>
    /// The tuning chroma_cens's CQT uses: librosa's <c>estimate_tuning(y, sr)</c> on the component, from its own float64
    /// STFT rather than the MFCC's float32 one (see <see cref="TuningEstimator"/> on flat percussive histograms).
    /// </summary>
    public static double CqtTuning(ReadOnlySpan<float> y) => TuningEstimator.EstimateFromSignal(y, SampleRate, Hpss.NFft);

    // estimate_tuning's STFT hops by n_fft / 4 = 512, twice the feature hop, over the same centred grid.
    private const int TuningStride = Hpss.NFft / 4 / HopLength;

    private static int TuningFrames(int frames) => ((frames - 1) / TuningStride) + 1;

    /// <summary>mean (380), population variance (380), max (380) over frames of a row-major 380 × T matrix.</summary>
    public static float[] Aggregate(ReadOnlySpan<float> rows, int frames)
    {
        var vector = new float[TrackDimension];
        for (var r = 0; r < PerFrame; r++)
        {
            var row = rows.Slice(r * frames, frames);
            double sum = 0, max = double.NegativeInfinity;
            foreach (var v in row)
            {
                sum += v;
                max = Math.Max(max, v);
            }

            var mean = sum / frames;
            var squares = 0.0;
            foreach (var v in row)
            {
                squares += (v - mean) * (v - mean);
            }

            vector[r] = (float)mean;
            vector[PerFrame + r] = (float)(squares / frames);
            vector[(2 * PerFrame) + r] = (float)max;
        }

        return vector;
    }

    // The 13 blocks of one component, each put through logamplitude on its own, into 190 rows × frames.
    private void Component(float[] y, Span<float> rows, float[]? logMelForTempo)
    {
        var frames = Frames;
        Span<float> Block(Span<float> all, string name)
        {
            var block = Blocks.First(b => b.Name == name);
            return all.Slice(block.Offset * frames, block.Size * frames);
        }

        var start = Stopwatch.GetTimestamp();
        var stft = new Stft(StftSize, HopLength, Stft.PeriodicHann(StftSize));
        var bins = stft.Bins;
        var magnitude = new float[frames * bins];
        stft.Magnitudes(y, magnitude, 1);
        var power = new float[magnitude.Length];
        for (var i = 0; i < power.Length; i++)
        {
            power[i] = magnitude[i] * magnitude[i];
        }

        timer?.Add("stft512", start);

        start = Stopwatch.GetTimestamp();
        ChromaStft.Compute(power, StftSize, SampleRate, Block(rows, "chroma_stft"));
        timer?.Add("chroma_stft", start);

        // One float64 pass gives the MFCC's power (every hop-256 frame) and estimate_tuning's magnitude (its hop-512
        // frames are the even ones): the same values CqtTuning computes on its own, one FFT per tuning frame fewer.
        start = Stopwatch.GetTimestamp();
        var mfccStft = new Stft64(Mfcc.NFft, HopLength);
        var bins2048 = mfccStft.Bins;
        var power2048 = new float[frames * bins2048];
        var tuningMagnitude = new float[TuningFrames(frames) * bins2048];
        mfccStft.Compute(y, power2048, tuningMagnitude, TuningStride);
        timer?.Add("stft2048", start);

        start = Stopwatch.GetTimestamp();
        var tuning = TuningEstimator.Estimate(tuningMagnitude, bins2048, SampleRate, Hpss.NFft);
        var cqt = new float[ConstantQ.BinCount * frames];
        new ConstantQ(SampleRate, HopLength).Magnitudes(y, tuning, cqt);
        ChromaCens.FromCqt(cqt, Block(rows, "chroma_cens"));
        timer?.Add("cqt+chroma_cens", start);

        start = Stopwatch.GetTimestamp();
        Mel96.Value.Apply(power, Block(rows, "melspectrogram"));
        var logMel = logMelForTempo ?? new float[Mfcc.Mels * frames];
        var mfcc = Block(rows, "mfcc");
        MfccBank.Value.Compute(power2048, logMel, mfcc);
        Delta.Compute(mfcc, Mfcc.Coefficients, 1, Block(rows, "mfcc_delta"));
        Delta.Compute(mfcc, Mfcc.Coefficients, 2, Block(rows, "mfcc_delta2"));
        timer?.Add("mel+mfcc", start);

        start = Stopwatch.GetTimestamp();
        FrameRms.Compute(y, StftSize, HopLength, Block(rows, "rmse"));
        SpectralShape.Compute(
            magnitude, bins, SampleRate, Block(rows, "spectral_centroid"), Block(rows, "spectral_bandwidth"), Block(rows, "spectral_rolloff"));
        Poly1.Value.Compute(magnitude, Block(rows, "poly_features_order1"));
        Poly2.Value.Compute(magnitude, Block(rows, "poly_features_order2"));
        ZeroCrossingRate.Compute(y, StftSize, HopLength, Block(rows, "zero_crossing_rate"));
        foreach (var block in Blocks)
        {
            Decibels.LogAmplitudeRefMax(rows.Slice(block.Offset * frames, block.Size * frames));
        }

        timer?.Add("spectral+logamp", start);
    }
}
