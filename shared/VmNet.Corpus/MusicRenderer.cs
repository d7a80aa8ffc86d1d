namespace VmNet.Corpus;

/// <summary>
/// Synthesises a track from <see cref="MusicParameters"/>: a diatonic chord progression in the key (pad, bass,
/// arpeggio) voiced around the register, with a wavetable whose harmonic richness is the timbre; a drum
/// pattern (kick, snare, hi-hat) whose level is the percussiveness; scaled to the loudness's RMS level. The
/// <see cref="Instrument.Pluck"/> instrument (neon corpora) plays short odd-harmonic tones instead: chord stabs,
/// a bass note on every beat and a sixteenth-note arpeggio.
/// </summary>
public static class MusicRenderer
{
    private const int TableSize = 2048;
    private const int StepsPerBar = 16;

    private static readonly int[] MajorScale = [0, 2, 4, 5, 7, 9, 11];
    private static readonly int[] MinorScale = [0, 2, 3, 5, 7, 8, 10];

    /// <summary>Chord progressions as scale degrees (0 = tonic), one chord per bar.</summary>
    public static IReadOnlyList<int[]> Progressions { get; } =
    [
        [0, 4, 5, 3], [0, 3, 4, 3], [5, 3, 0, 4], [0, 5, 1, 4], [1, 4, 0, 0], [0, 6, 3, 0], [0, 0, 3, 4],
        [0, 0, 5, 5], [5, 5, 3, 4], [0, 4, 0, 4],
    ];

    /// <summary>Drum patterns over one bar of sixteenths: kick, snare, hi-hat.</summary>
    public static IReadOnlyList<(string Kick, string Snare, string Hat)> Rhythms { get; } =
    [
        ("x...............", "................", "........x......."),
        ("x.......x.......", "....x.......x...", "x...x...x...x..."),
        ("x......x..x.....", "....x.......x...", "x.x.x.x.x.x.x.x."),
        ("x..x......x.....", "....x..x....x...", "xxxxxxxxxxxxxxxx"),
        ("x.......x.x.....", "....x.......x...", "x.x.x.x.x.x.x.x."),
        ("x...x...x...x...", "....x.......x...", "..x...x...x...x."),
        ("x.......x.......", "....x.......x...", "xxxxxxxxxxxxxxxx"),
        ("........x.......", "........x.......", "..x...x...x...x."),
        ("x.....x...x.....", "....x.......x...", "x.x.x.x.x.x.x.x."),
        ("x.x.x.x.x.x.x.x.", "....x.......x...", "xxxxxxxxxxxxxxxx"),
    ];

    public static float[] Render(MusicParameters music, double seconds, int sampleRate)
    {
        var random = new SplitMix64((ulong)music.NoiseSeed);
        var tonal = new float[(int)Math.Round(seconds * sampleRate)];
        var drums = new float[tonal.Length];
        var pluck = music.Instrument == Instrument.Pluck;
        var table = pluck ? OddWavetable(music.Timbre) : Wavetable(music.Timbre);
        var step = 60.0 / music.TempoBpm / 4;
        var bar = step * StepsPerBar;
        var scale = music.Minor ? MinorScale : MajorScale;
        var progression = Progressions[music.Progression % Progressions.Count];
        var (kick, snare, hat) = Rhythms[music.Rhythm % Rhythms.Count];
        var lowest = 40 + (30 * music.Register);

        // The track starts somewhere inside a bar, so beat phase says nothing about the item.
        var offset = random.NextDouble() * bar;
        for (var b = 0; (b * bar) - offset < seconds; b++)
        {
            var barStart = (b * bar) - offset;
            var degree = progression[b % progression.Length];
            var chord = Enumerable.Range(0, 3)
                .Select(i => Voice(music.Key + scale[(degree + (2 * i)) % 7], lowest))
                .ToArray();
            foreach (var note in pluck ? [] : chord)
            {
                AddNote(tonal, sampleRate, table, barStart, bar, note, 0.22, 0.08, bar * 1.5);
            }

            for (var s = 0; s < StepsPerBar; s++)
            {
                var t = barStart + (s * step);
                if (pluck)
                {
                    AddPluckStep(tonal, sampleRate, table, t, step, s, chord, music.Timbre);
                }
                else if (s % 8 == 0)
                {
                    AddNote(tonal, sampleRate, table, t, step * 8, chord[0] - 12, 0.3, 0.01, 0.4);
                }

                if (!pluck && s % 2 == 0)
                {
                    var tone = chord[(s / 2) % 4 == 3 ? 1 : (s / 2) % 4] + 12;
                    AddNote(tonal, sampleRate, table, t, step * 2, tone, 0.18 * (0.5 + music.Timbre), 0.005, 0.18);
                }

                if (kick[s] == 'x')
                {
                    AddKick(drums, sampleRate, t, 0.9);
                }

                if (snare[s] == 'x')
                {
                    AddNoiseHit(drums, sampleRate, t, 0.5, 0.1, 190, highPass: false, random);
                }

                if (hat[s] == 'x')
                {
                    AddNoiseHit(drums, sampleRate, t, 0.25, 0.03, 0, highPass: true, random);
                }
            }
        }

        var tonalGain = (float)(1 - (0.6 * music.Percussiveness));
        var drumGain = (float)(0.1 + (1.4 * music.Percussiveness));
        for (var i = 0; i < tonal.Length; i++)
        {
            tonal[i] = (tonal[i] * tonalGain) + (drums[i] * drumGain);
        }

        Normalise(tonal, music.TargetRmsDbfs);
        return tonal;
    }

    // One sixteenth of the pluck instrument: stabs of the whole chord on steps 0, 6 and 10, the bass on each
    // beat, and an arpeggio up and down the chord on every step.
    private static void AddPluckStep(float[] tonal, int sampleRate, float[] table, double t, double step, int s, int[] chord, double timbre)
    {
        if (s is 0 or 6 or 10)
        {
            foreach (var note in chord)
            {
                AddNote(tonal, sampleRate, table, t, step * 2, note, 0.2, 0.003, 0.12);
            }
        }

        if (s % 4 == 0)
        {
            AddNote(tonal, sampleRate, table, t, step * 3, chord[0] - 12, 0.32, 0.004, 0.15);
        }

        var tone = chord[(s % 6) switch { 0 or 4 => 0, 1 or 3 => 1, 2 => 2, _ => 1 }] + 12;
        AddNote(tonal, sampleRate, table, t, step, tone, 0.14 * (0.5 + timbre), 0.002, 0.06);
    }

    /// <summary>The lowest MIDI note of pitch class <paramref name="pitchClass"/> at or above <paramref name="lowest"/>.</summary>
    private static int Voice(int pitchClass, double lowest)
    {
        var note = (int)Math.Ceiling(lowest);
        while (((note % 12) + 12) % 12 != ((pitchClass % 12) + 12) % 12)
        {
            note++;
        }

        return note;
    }

    // One period of a harmonic series: more and stronger overtones for a richer timbre.
    private static float[] Wavetable(double timbre) =>
        Period([.. Enumerable.Range(1, 1 + (int)Math.Round(timbre * 11))], 2.2 - (1.6 * timbre));

    // Odd harmonics only (a hollow, clarinet-like tone): more of them, falling off more slowly, for a richer timbre.
    private static float[] OddWavetable(double timbre) =>
        Period([.. Enumerable.Range(0, 1 + (int)Math.Round(timbre * 7)).Select(h => (2 * h) + 1)], 1.8 - (1.0 * timbre));

    // One period of the given partials, each at 1/k^rolloff, summed in the order given, normalised to a peak of 1.
    private static float[] Period(int[] partials, double rolloff)
    {
        var table = new float[TableSize + 1];
        for (var i = 0; i < TableSize; i++)
        {
            var phase = 2 * Math.PI * i / TableSize;
            var value = 0.0;
            foreach (var k in partials)
            {
                value += Math.Sin(k * phase) / Math.Pow(k, rolloff);
            }

            table[i] = (float)value;
        }

        table[TableSize] = table[0];
        var peak = table.Max(Math.Abs);
        for (var i = 0; i <= TableSize; i++)
        {
            table[i] /= peak;
        }

        return table;
    }

    private static void AddNote(
        float[] buffer, int sampleRate, float[] table, double start, double duration, int midi, double amplitude, double attack, double decay)
    {
        var frequency = 440 * Math.Pow(2, (midi - 69) / 12.0);
        var length = Math.Min(duration, 6 * decay);
        var first = Math.Max(0, (int)Math.Ceiling(start * sampleRate));
        var last = Math.Min(buffer.Length, (int)((start + length) * sampleRate));
        if (first >= last)
        {
            return;
        }

        const double release = 0.01;
        var t0 = (first / (double)sampleRate) - start;
        // Phase and exponential decay advance by constant steps: no Exp or modulo per sample.
        var step = frequency / sampleRate * TableSize;
        var position = (t0 * frequency % 1.0) * TableSize;
        var fall = Math.Exp(-1.0 / (decay * sampleRate));
        var level = amplitude * Math.Exp(-t0 / decay);
        for (var i = first; i < last; i++, position += step, level *= fall)
        {
            if (position >= TableSize)
            {
                position -= TableSize;
            }

            var t = (i / (double)sampleRate) - start;
            var shape = Math.Min(1, Math.Min(t / attack, (length - t) / release));
            var index = (int)position;
            var fraction = (float)(position - index);
            var sample = table[index] + ((table[index + 1] - table[index]) * fraction);
            buffer[i] += (float)(level * shape) * sample;
        }
    }

    private static void AddKick(float[] buffer, int sampleRate, double start, double amplitude)
    {
        var first = Math.Max(0, (int)Math.Ceiling(start * sampleRate));
        var last = Math.Min(buffer.Length, (int)((start + 0.6) * sampleRate));
        for (var i = first; i < last; i++)
        {
            var t = (i / (double)sampleRate) - start;
            // Pitch falls from 155 Hz to 45 Hz: the phase is the integral of that sweep.
            var phase = 2 * Math.PI * ((45 * t) + (110 * 0.04 * (1 - Math.Exp(-t / 0.04))));
            buffer[i] += (float)(amplitude * Math.Exp(-t / 0.12) * Math.Sin(phase));
        }
    }

    private static void AddNoiseHit(
        float[] buffer, int sampleRate, double start, double amplitude, double decay, double tone, bool highPass, SplitMix64 random)
    {
        var first = Math.Max(0, (int)Math.Ceiling(start * sampleRate));
        var last = Math.Min(buffer.Length, (int)((start + (6 * decay)) * sampleRate));
        var previous = 0.0;
        for (var i = first; i < last; i++)
        {
            var t = (i / (double)sampleRate) - start;
            var noise = random.Uniform(-1, 1);
            var value = highPass ? (noise - previous) * 0.5 : noise;
            previous = noise;
            if (tone > 0)
            {
                value = (0.6 * value) + (0.4 * Math.Sin(2 * Math.PI * tone * t));
            }

            buffer[i] += (float)(amplitude * Math.Exp(-t / decay) * value);
        }
    }

    // Scales to the target RMS, then rounds off the few peaks that would clip (drum hits at the loud end).
    private static void Normalise(float[] samples, double targetDbfs)
    {
        var sum = 0.0;
        foreach (var s in samples)
        {
            sum += s * s;
        }

        var rms = Math.Sqrt(sum / Math.Max(1, samples.Length));
        var gain = rms > 0 ? Math.Pow(10, targetDbfs / 20) / rms : 0;
        for (var i = 0; i < samples.Length; i++)
        {
            var x = samples[i] * gain;
            var magnitude = Math.Abs(x);
            samples[i] = (float)(magnitude <= 0.8 ? x : Math.Sign(x) * (0.8 + (0.19 * Math.Tanh((magnitude - 0.8) / 0.19))));
        }
    }
}
