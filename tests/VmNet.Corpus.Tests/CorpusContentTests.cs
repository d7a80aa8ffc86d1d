namespace VmNet.Corpus.Tests;

/// <summary>What the files of one small corpus contain, measured with the real ffprobe and ffmpeg.</summary>
public sealed class CorpusContentTests(SharedCorpus corpus) : IClassFixture<SharedCorpus>
{
    private CorpusManifest Manifest => corpus.Manifest;

    [Fact]
    public async Task Pairs_are_mp4_with_h264_video_and_aac_audio()
    {
        foreach (var item in Manifest.OfKind(CorpusItemKind.Pair))
        {
            var streams = await MediaProbe.StreamsAsync(Manifest.PathOf(item));
            Assert.Equal(["video", "audio"], streams.Kinds.Order(StringComparer.Ordinal).Reverse());
            Assert.Equal(["h264", "aac"], streams.Codecs.Order(StringComparer.Ordinal).Reverse());
            Assert.InRange(streams.Duration, Manifest.Recipe.Seconds - 0.2, Manifest.Recipe.Seconds + 0.2);
        }
    }

    [Fact]
    public async Task Music_only_tracks_have_only_an_audio_stream()
    {
        var items = Manifest.OfKind(CorpusItemKind.Music).ToList();
        Assert.Equal(Manifest.Recipe.MusicOnly, items.Count);
        foreach (var item in items)
        {
            Assert.EndsWith(".m4a", item.File, StringComparison.Ordinal);
            Assert.Null(item.Video);
            Assert.NotNull(item.Music);
            var streams = await MediaProbe.StreamsAsync(Manifest.PathOf(item));
            Assert.Equal(["audio"], streams.Kinds);
            Assert.Equal(["aac"], streams.Codecs);
        }
    }

    [Fact]
    public async Task Video_only_uploads_have_only_a_video_stream()
    {
        var items = Manifest.OfKind(CorpusItemKind.Video).ToList();
        Assert.Equal(Manifest.Recipe.VideoOnly, items.Count);
        foreach (var item in items)
        {
            Assert.Null(item.Music);
            Assert.NotNull(item.Video);
            var streams = await MediaProbe.StreamsAsync(Manifest.PathOf(item));
            Assert.Equal(["video"], streams.Kinds);
            Assert.Equal(["h264"], streams.Codecs);
        }
    }

    [Fact]
    public void Manifest_on_disk_is_what_the_generator_returned()
    {
        var loaded = CorpusManifest.Load(Manifest.Directory);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Manifest.Directory, CorpusManifest.FileName)), loaded.ToJsonBytes());
        Assert.Equal(Manifest.ToJsonBytes(), loaded.ToJsonBytes());
        Assert.Equal(Manifest.Directory, loaded.Directory);
        Assert.All(loaded.Items, item =>
        {
            Assert.InRange(item.Cluster, 0, loaded.Styles.Count - 1);
            Assert.Equal(loaded.Styles[item.Cluster].Name, item.Style);
            Assert.InRange(item.Factors.Key, 0, 11);
            Assert.True(File.Exists(loaded.PathOf(item)), item.File);
        });
    }

    [Fact]
    public async Task Audio_level_follows_the_loudness_factor()
    {
        var items = Manifest.Items.Where(i => i.Music is not null).ToList();
        var measured = new List<double>();
        foreach (var item in items)
        {
            var rms = await MediaProbe.RmsDbfsAsync(Manifest.PathOf(item));
            // AAC keeps the level the track was rendered at.
            Assert.InRange(rms, item.Music!.TargetRmsDbfs - 1.5, item.Music.TargetRmsDbfs + 1.5);
            measured.Add(rms);
        }

        var correlation = MediaProbe.Correlation(items.Select(i => i.Factors.Loudness).ToList(), measured);
        Assert.True(correlation > 0.8, $"RMS level vs loudness factor: r = {correlation:0.00}");
    }

    [Fact]
    public async Task Picture_brightness_follows_the_loudness_factor()
    {
        var items = Manifest.Items.Where(i => i.Video is not null).ToList();
        var measured = new List<double>();
        foreach (var item in items)
        {
            measured.Add(await MediaProbe.MeanLumaAsync(Manifest.PathOf(item)));
        }

        var correlation = MediaProbe.Correlation(items.Select(i => i.Factors.Loudness).ToList(), measured);
        Assert.True(correlation > 0.8, $"mean luma vs loudness factor: r = {correlation:0.00}");
    }

    [Fact]
    public void Each_side_carries_its_own_noise_around_the_shared_factors()
    {
        var pairs = Manifest.OfKind(CorpusItemKind.Pair).ToList();
        // Both sides stay near the shared tempo, yet neither copies it nor the other side.
        Assert.All(pairs, p =>
        {
            Assert.InRange(p.Music!.TempoBpm / p.Factors.TempoBpm, 0.75, 1.25);
            Assert.InRange(p.Video!.TempoBpm / p.Factors.TempoBpm, 0.75, 1.25);
        });
        Assert.Contains(pairs, p => p.Music!.TempoBpm != p.Video!.TempoBpm);
        Assert.Contains(pairs, p => p.Music!.Loudness != p.Factors.Loudness);
        Assert.True(pairs.Select(p => p.Cluster).Distinct().Count() > 1, "all pairs drew the same style");
    }
}
