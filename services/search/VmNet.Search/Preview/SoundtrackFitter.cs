using VmNet.AudioFeatures;

namespace VmNet.Search.Preview;

/// <summary>A track's samples fitted to a video's length, and where in the track they start.</summary>
/// <param name="MusicSeconds">Where the music ends (its fade-out reaches silence on a beat); silence follows up to the video's end.</param>
internal sealed record FittedAudio(float[] Samples, double TrackStartSeconds, bool Looped, double MusicSeconds);

/// <summary>
/// Fits a track to a length: a longer track gives its most energetic window of that length that starts on a beat; a
/// shorter one loops from its first beat to its last bar line (every 4th beat) with a crossfade across each loop point
/// that keeps the bar grid. The music then ends on the last beat before the video ends (a video's length is rarely a
/// whole number of beats): a fade-out reaches silence exactly there, and the rest (less than a beat) is silent, so
/// the preview never stops on a hard cut. A short fade-in softens the first beat's click.
/// </summary>
internal static class SoundtrackFitter
{
    public const double FadeInSeconds = 0.05;
    public const double MaxFadeOutSeconds = 1.5;
    public const int BeatsPerBar = 4;

    // Energy is summed in blocks of this many samples, so windows are compared from a small prefix-sum array.
    private const int Block = 256;

    public static FittedAudio Fit(float[] track, int sampleRate, BeatGrid grid, double seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seconds);
        var length = (int)Math.Round(seconds * sampleRate);
        var (samples, start, looped, beats) = track.Length >= length ? Window(track, sampleRate, grid, length) : Loop(track, sampleRate, grid, length);
        // The last beat at or before the end, unless that would cut off more than half the video (no beats, slow tempo).
        var end = beats.Where(b => b <= length).DefaultIfEmpty(length).Max();
        end = end < length / 2 ? length : end;
        Fade(samples, sampleRate, end);
        return new FittedAudio(samples, start / (double)sampleRate, looped, end / (double)sampleRate);
    }

    // The fitted samples, their start in the track, and the track's beats as sample positions of the fitted samples.
    private static (float[] Samples, int Start, bool Looped, List<int> Beats) Window(float[] track, int sampleRate, BeatGrid grid, int length)
    {
        var energy = new double[(track.Length / Block) + 2];
        for (var b = 0; b * Block < track.Length; b++)
        {
            var sum = 0.0;
            var end = Math.Min(track.Length, (b + 1) * Block);
            for (var i = b * Block; i < end; i++)
            {
                sum += track[i] * (double)track[i];
            }

            energy[b + 1] = energy[b] + sum;
        }

        double Energy(int start) => energy[Math.Min(energy.Length - 1, (start + length) / Block)] - energy[start / Block];

        var beats = grid.BeatSeconds;
        var best = -1;
        var bestEnergy = double.NegativeInfinity;
        foreach (var beat in beats)
        {
            var start = (int)Math.Round(beat * sampleRate);
            if (start + length > track.Length)
            {
                break;
            }

            if (Energy(start) > bestEnergy)
            {
                best = start;
                bestEnergy = Energy(start);
            }
        }

        if (best < 0)
        {
            // No beat fits (no onsets, or none early enough): the most energetic window on a half-second grid.
            bestEnergy = double.NegativeInfinity;
            for (var start = 0; start + length <= track.Length; start += sampleRate / 2)
            {
                if (Energy(start) > bestEnergy)
                {
                    best = start;
                    bestEnergy = Energy(start);
                }
            }
        }

        var inside = beats.Select(b => (int)Math.Round(b * sampleRate) - best).Where(b => b >= 0 && b <= length).ToList();
        return (track.AsSpan(best, length).ToArray(), best, false, inside);
    }

    private static (float[] Samples, int Start, bool Looped, List<int> Beats) Loop(float[] track, int sampleRate, BeatGrid grid, int length)
    {
        var beats = grid.BeatSeconds;
        int from = 0, to = track.Length;
        var loopBeats = new List<int>();
        if (beats.Length > BeatsPerBar)
        {
            var lastBar = (beats.Length - 1) / BeatsPerBar * BeatsPerBar;
            from = (int)Math.Round(beats[0] * sampleRate);
            to = (int)Math.Round(beats[lastBar] * sampleRate);
            loopBeats.AddRange(beats.Take(lastBar).Select(b => (int)Math.Round(b * sampleRate) - from));
        }

        var period = to - from;
        if (period <= 0)
        {
            return (new float[length], 0, true, []);
        }

        // Each copy of [from, to) is weighted 1 inside its own period and ramps over `fade` samples on both sides
        // (playing on into the track's next samples, starting early from its previous ones): complementary ramps,
        // so the sum crossfades across every loop point while the copies stay a whole number of bars apart.
        var beat = grid.TempoBpm is { } bpm ? 60 / bpm : 0.5;
        var fade = Math.Max(1, Math.Min((int)(0.5 * beat * sampleRate), period / 4));
        var output = new float[length];
        for (var copy = 0; (long)copy * period - fade < length; copy++)
        {
            var origin = (long)copy * period;
            var first = Math.Max(0, origin - fade);
            var last = Math.Min(length, origin + period + fade);
            for (var n = first; n < last; n++)
            {
                var source = from + (n - origin);
                if (source < 0 || source >= track.Length)
                {
                    continue;
                }

                var into = n - origin;
                var weight = copy == 0 && into < 0 ? 0
                    : into < fade ? (copy == 0 ? 1 : (into + fade) / (2.0 * fade))
                    : into >= period - fade ? (period + fade - into) / (2.0 * fade)
                    : 1;
                output[n] += (float)(Math.Clamp(weight, 0, 1) * track[source]);
            }
        }

        var outputBeats = new List<int>();
        for (long origin = 0; origin <= length; origin += period)
        {
            outputBeats.AddRange(loopBeats.Select(b => origin + b).Where(b => b <= length).Select(b => (int)b));
        }

        return (output, from, true, outputBeats);
    }

    // A fade-in at the start; a fade-out that reaches silence at `end`, and silence after it.
    private static void Fade(float[] samples, int sampleRate, int end)
    {
        var fadeIn = Math.Min(samples.Length / 4, (int)(FadeInSeconds * sampleRate));
        for (var i = 0; i < fadeIn; i++)
        {
            samples[i] *= i / (float)fadeIn;
        }

        var fadeOut = Math.Min(end / 4, (int)(MaxFadeOutSeconds * sampleRate));
        for (var i = 0; i < fadeOut; i++)
        {
            // Quadratic: most of the drop early, so the end is well under the body's level.
            var g = (fadeOut - 1 - i) / (float)fadeOut;
            samples[end - fadeOut + i] *= g * g;
        }

        samples.AsSpan(end).Clear();
    }
}
