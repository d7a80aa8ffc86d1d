using NWaves.Filters.Fda;

namespace VmNet.AudioFeatures;

/// <summary>A track's tempo and beat times (seconds from its start, ascending); no beats when the track has no onsets.</summary>
public sealed record BeatGrid(double? TempoBpm, double[] BeatSeconds, double DurationSeconds);

/// <summary>
/// Beat times of a whole track at 12 kHz: the onset envelope of <see cref="TempoEstimator"/> (128-band log-mel of an STFT
/// 2048 / hop 256) over the full mix, its tempo by the same estimator, then librosa's dynamic-programming beat tracker
/// (Ellis 2007: beats on strong onsets, spaced close to the tempo's period, tightness 100; weak beats at either end trimmed).
/// The catalogue's tempo comes from the percussive part of the centre 29 s, so the two can differ on tracks that change.
/// </summary>
public static class BeatTracker
{
    public const int SampleRate = AudioFeatureLayout.SampleRate;
    public const int Hop = AudioFeatureLayout.HopLength;
    public const double Tightness = 100;

    // Frames per STFT piece: bounds the power spectrogram held at once (1025 bins × 4096 frames × 4 bytes = 17 MB).
    private const int PieceFrames = 4096;

    private static readonly Lazy<FilterBank> Mel = new(() =>
        new FilterBank(FilterBanks.MelBankSlaney(Mfcc.Mels, Mfcc.NFft, SampleRate, 0, SampleRate / 2.0, true)));

    public static double FramesPerSecond => (double)SampleRate / Hop;

    /// <summary>Tempo and beats of <paramref name="samples"/> (mono, 12 kHz).</summary>
    public static BeatGrid Track(ReadOnlySpan<float> samples)
    {
        var duration = samples.Length / (double)SampleRate;
        if (samples.Length < Mfcc.NFft)
        {
            return new BeatGrid(null, [], duration);
        }

        var stft = new Stft(Mfcc.NFft, Hop, Stft.PeriodicHann(Mfcc.NFft));
        var frames = stft.FrameCount(samples.Length);
        var logMel = new float[Mfcc.Mels * frames];
        var power = new float[PieceFrames * stft.Bins];
        var mel = new float[Mfcc.Mels * PieceFrames];
        for (var first = 0; first < frames; first += PieceFrames)
        {
            var count = Math.Min(PieceFrames, frames - first);
            stft.Magnitudes(samples, power, 2, first, count);
            Mel.Value.Apply(power.AsSpan(0, count * stft.Bins), mel.AsSpan(0, Mfcc.Mels * count));
            for (var r = 0; r < Mfcc.Mels; r++)
            {
                mel.AsSpan(r * count, count).CopyTo(logMel.AsSpan((r * frames) + first, count));
            }
        }

        Decibels.PowerToDb(logMel);
        var onset = TempoEstimator.OnsetStrength(logMel, Mfcc.Mels);
        var tempo = TempoEstimator.FromOnsets(onset, FramesPerSecond);
        if (tempo is null)
        {
            return new BeatGrid(null, [], duration);
        }

        // librosa's onset_strength(centering=True) delays the envelope by n_fft / (2·hop) frames: a frame's dB rise
        // peaks when an attack enters its window, half a window before the frame's centre reaches it.
        var beats = Beats(onset, FramesPerSecond, tempo.Value);
        const int centering = Mfcc.NFft / (2 * Hop);
        return new BeatGrid(tempo, [.. beats.Select(f => Math.Min(duration, (f + centering) / FramesPerSecond))], duration);
    }

    /// <summary>librosa 0.5's <c>__beat_tracker</c> and <c>__trim_beats</c>: beat frames of an onset envelope at <paramref name="bpm"/>.</summary>
    public static int[] Beats(double[] onset, double framesPerSecond, double bpm)
    {
        var n = onset.Length;
        var std = StandardDeviation(onset);
        if (n < 3 || std <= 0)
        {
            return [];
        }

        var period = Math.Max(1, (int)Math.Round(60 * framesPerSecond / bpm));
        // Local score: the normalised envelope smoothed by a Gaussian a period wide.
        var kernel = new double[(2 * period) + 1];
        for (var k = -period; k <= period; k++)
        {
            kernel[k + period] = Math.Exp(-0.5 * Math.Pow(k * 32.0 / period, 2));
        }

        var local = new double[n];
        for (var t = 0; t < n; t++)
        {
            var sum = 0.0;
            for (var k = -period; k <= period; k++)
            {
                var j = t - k;
                if (j >= 0 && j < n)
                {
                    sum += kernel[k + period] * onset[j] / std;
                }
            }

            local[t] = sum;
        }

        // The previous beat lies between two periods and half a period back; a penalty for straying from one period.
        var from = -2 * period;
        var to = -(int)Math.Round(period / 2.0);
        var weights = new double[to - from + 1];
        for (var w = from; w <= to; w++)
        {
            weights[w - from] = -Tightness * Math.Pow(Math.Log(-w / (double)period), 2);
        }

        var cumulative = new double[n];
        var backlink = new int[n];
        var localMax = local.Max();
        var firstBeat = true;
        for (var i = 0; i < n; i++)
        {
            var best = double.NegativeInfinity;
            var bestAt = -1;
            for (var w = from; w <= to; w++)
            {
                var previous = i + w;
                var candidate = weights[w - from] + (previous >= 0 ? cumulative[previous] : 0);
                if (candidate > best)
                {
                    best = candidate;
                    bestAt = previous;
                }
            }

            cumulative[i] = local[i] + best;
            if (firstBeat && local[i] < 0.01 * localMax)
            {
                backlink[i] = -1;
            }
            else
            {
                backlink[i] = bestAt;
                firstBeat = false;
            }
        }

        // The last beat: the last local maximum of the cumulative score above half the median of those maxima.
        var maxima = new List<int>();
        for (var i = 0; i < n; i++)
        {
            var left = i == 0 ? double.NegativeInfinity : cumulative[i - 1];
            var right = i == n - 1 ? double.NegativeInfinity : cumulative[i + 1];
            if (cumulative[i] > left && cumulative[i] >= right)
            {
                maxima.Add(i);
            }
        }

        if (maxima.Count == 0)
        {
            return [];
        }

        var median = Median([.. maxima.Select(i => cumulative[i])]);
        var tail = maxima.Last(i => 2 * cumulative[i] > median);
        var beats = new List<int> { tail };
        while (backlink[beats[^1]] >= 0)
        {
            beats.Add(backlink[beats[^1]]);
        }

        beats.Reverse();
        return Trim(beats, local);
    }

    // Weak beats at the start and the end (silence, fades) are dropped: Hann-smoothed local score under half its RMS.
    private static int[] Trim(List<int> beats, double[] local)
    {
        double[] hann = [0, 0.5, 1, 0.5, 0];
        var smooth = new double[beats.Count];
        for (var b = 0; b < beats.Count; b++)
        {
            for (var k = -2; k <= 2; k++)
            {
                var j = b - k;
                if (j >= 0 && j < beats.Count)
                {
                    smooth[b] += hann[k + 2] * local[beats[j]];
                }
            }
        }

        var threshold = 0.5 * Math.Sqrt(smooth.Select(v => v * v).Average());
        var first = 0;
        while (first < beats.Count && smooth[first] <= threshold)
        {
            first++;
        }

        var last = beats.Count - 1;
        while (last >= first && smooth[last] <= threshold)
        {
            last--;
        }

        return [.. beats.Skip(first).Take(last - first + 1)];
    }

    private static double StandardDeviation(double[] values)
    {
        if (values.Length < 2)
        {
            return 0;
        }

        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
