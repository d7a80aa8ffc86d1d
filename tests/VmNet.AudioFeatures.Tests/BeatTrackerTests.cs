namespace VmNet.AudioFeatures.Tests;

/// <summary>The beat tracker on signals whose beats are known: clicks at a fixed tempo, and silence.</summary>
public sealed class BeatTrackerTests
{
    [Theory]
    [InlineData(90.0)]
    [InlineData(128.0)]
    public void Clicks_at_a_fixed_tempo_give_that_tempo_and_a_beat_on_each_click(double bpm)
    {
        const int rate = BeatTracker.SampleRate;
        var samples = new float[20 * rate];
        var period = 60 / bpm;
        var clicks = new List<double>();
        for (var t = 0.25; t < 20; t += period)
        {
            clicks.Add(t);
            var start = (int)(t * rate);
            for (var i = 0; i < 240 && start + i < samples.Length; i++)
            {
                // A 1 kHz burst of 20 ms with a sharp attack.
                samples[start + i] = (float)(Math.Sin(2 * Math.PI * 1000 * i / rate) * Math.Exp(-i / 60.0));
            }
        }

        var grid = BeatTracker.Track(samples);

        Assert.NotNull(grid.TempoBpm);
        Assert.InRange(grid.TempoBpm.Value, bpm * 0.97, bpm * 1.03);
        Assert.True(grid.BeatSeconds.Length >= clicks.Count - 4, $"{grid.BeatSeconds.Length} beats for {clicks.Count} clicks");
        // Every beat within two STFT hops (43 ms; about a video frame) of a click: frames quantise onsets to 21 ms.
        Assert.All(grid.BeatSeconds, b => Assert.True(clicks.Min(c => Math.Abs(c - b)) < 0.043, $"beat at {b:0.000} s is off every click"));
        Assert.Equal(20.0, grid.DurationSeconds, 3);
    }

    [Fact]
    public void Silence_has_no_tempo_and_no_beats()
    {
        var grid = BeatTracker.Track(new float[5 * BeatTracker.SampleRate]);

        Assert.Null(grid.TempoBpm);
        Assert.Empty(grid.BeatSeconds);
    }
}
