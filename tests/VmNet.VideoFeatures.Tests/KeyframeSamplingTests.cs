using VmNet.Catalogue;
using VmNet.VideoFeatures;

namespace VmNet.VideoFeatures.Tests;

/// <summary>Decoding keyframes only: when Auto takes it, and that its features stay those of the full decode.</summary>
public sealed class KeyframeSamplingTests(ArtworkVideos videos)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_longest_gap_counts_the_start_the_gaps_and_the_tail()
    {
        // pts_time,flags as ffprobe prints them, in decode order (B-frames out of order), with a packet without time.
        const string packets = "0.000000,K__\n0.080000,___\n0.040000,___\n1.000000,K__\nN/A,___\n1.500000,___\n3.200000,___\n";
        Assert.Equal(2.2, KeyframeProbe.LongestGap(packets, 360)!.Value, 6);
        Assert.Equal(1.0, KeyframeProbe.LongestGap(packets, 1.5)!.Value, 6);
        Assert.Equal(0.5, KeyframeProbe.LongestGap("0.5,___\n1.0,K_\n1.5,___\n", 360)!.Value, 6);
        Assert.Null(KeyframeProbe.LongestGap("0.0,___\n1.0,___\n", 360));
        Assert.Null(KeyframeProbe.LongestGap(string.Empty, 360));
    }

    [Fact]
    public void Features_made_another_way_get_another_version_and_the_full_decode_keeps_the_old_one()
    {
        // Auto changes the frames of videos with close keyframes: its vectors must never share a version (and so a
        // cache entry or a PCA) with those of the full decode, which is what every earlier version computed.
        string VersionWith(Action<VideoFeatureOptions> set)
        {
            var options = new VideoFeatureOptions();
            set(options);
            using var extractor = new VideoFeatureExtractor(options, null, videos.Extractor.Cnn);
            return extractor.ExtractorVersion;
        }

        var auto = VersionWith(_ => { });
        var full = VersionWith(o => o.Sampling = VideoSampling.Full);
        var keyframes = VersionWith(o => o.Sampling = VideoSampling.Keyframes);
        var widerGap = VersionWith(o => o.KeyframeMaxGapSeconds = 2);

        Assert.Equal(VideoFeatureExtractor.DefaultExtractorVersion, auto);
        Assert.Equal(VideoFeatureExtractor.FullDecodeExtractorVersion, full);
        Assert.Equal(4, new[] { auto, full, keyframes, widerGap }.Distinct().Count());
        Assert.Equal(VersionWith(o => { o.FramesPerSecond = 2; o.Sampling = VideoSampling.Full; }),
            VersionWith(o => { o.FramesPerSecond = 2; o.Sampling = VideoSampling.Full; o.KeyframeMaxGapSeconds = 3; }));
        Assert.NotEqual(VersionWith(o => o.FramesPerSecond = 2), VersionWith(o => { o.FramesPerSecond = 2; o.Sampling = VideoSampling.Full; }));
    }

    [Fact]
    public async Task Auto_decodes_keyframes_only_when_they_are_a_second_apart_and_the_features_stay_those_of_the_full_decode()
    {
        var oneSecondGop = await ArtworkVideos.FfmpegAsync(Path.Combine(videos.Folder, "garden-gop1s.mp4"),
            ["-i", videos.Garden, "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p"]);
        var decoder = videos.Extractor.Decoder;

        Assert.Equal(VideoSampling.Auto, decoder.Sampling);
        Assert.Equal(VideoSampling.Keyframes, await decoder.ChooseAsync(oneSecondGop, VideoSampling.Auto, Ct));
        // The default x264 encode has a keyframe per picture (every 5 s): every frame is decoded.
        Assert.Equal(VideoSampling.Full, await decoder.ChooseAsync(videos.Garden, VideoSampling.Auto, Ct));

        var full = await videos.Extractor.ComputeFramesAsync(oneSecondGop, 8, VideoSampling.Full, Ct);
        var keyframes = await videos.Extractor.ComputeFramesAsync(oneSecondGop, 8, VideoSampling.Keyframes, Ct);
        var auto = await videos.Extractor.ExtractAsync(oneSecondGop, Ct);

        Assert.Equal(15, full.Count);
        Assert.Equal(full.Count, keyframes.Count);
        Assert.Equal(keyframes.Values, auto.FrameFeatures.Values);
        var cosine = VectorMath.Cosine(videos.Extractor.Pool(full).Vector, videos.Extractor.Pool(keyframes).Vector);
        Assert.True(cosine >= 0.99, $"cosine(keyframes only, full decode) = {cosine:0.0000}");
    }

    [Fact]
    public async Task A_file_that_is_not_a_video_is_left_to_the_full_decode_to_report()
    {
        var garbage = Path.Combine(videos.Folder, "not-a-video.mp4");
        await File.WriteAllBytesAsync(garbage, [.. Enumerable.Range(0, 2048).Select(i => (byte)(i * 17))], Ct);

        Assert.Null(await KeyframeProbe.LongestGapAsync(garbage, 360, TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(VideoSampling.Full, await videos.Extractor.Decoder.ChooseAsync(garbage, VideoSampling.Auto, Ct));
    }
}
