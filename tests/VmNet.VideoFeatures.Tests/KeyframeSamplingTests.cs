using VmNet.Catalogue;
using VmNet.VideoFeatures;

namespace VmNet.VideoFeatures.Tests;

/// <summary>Decoding less than every frame: when Auto takes which way, and that the features stay those of the full decode.</summary>
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
    public void The_codec_is_the_line_after_the_packets()
    {
        Assert.Equal("h264", KeyframeProbe.Codec("0.000000,K__\n0.040000,___\nh264\n"));
        Assert.Equal("mpeg2video", KeyframeProbe.Codec("0.0,K_\nmpeg2video"));
        Assert.Null(KeyframeProbe.Codec("0.000000,K__\n"));
        Assert.Null(KeyframeProbe.Codec("0.0,K_\nh264; rm -rf /\n"));
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
        var noB = VersionWith(o => o.Sampling = VideoSampling.NoBFrames);
        var widerGap = VersionWith(o => o.KeyframeMaxGapSeconds = 2);

        Assert.Equal(VideoFeatureExtractor.DefaultExtractorVersion, auto);
        Assert.Equal(VideoFeatureExtractor.FullDecodeExtractorVersion, full);
        Assert.Equal(5, new[] { auto, full, keyframes, noB, widerGap }.Distinct().Count());
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
        // The default x264 encode has a keyframe per picture (every 5 s): B-frames are skipped instead.
        Assert.Equal(VideoSampling.NoBFrames, await decoder.ChooseAsync(videos.Garden, VideoSampling.Auto, Ct));

        await AssertAutoIsCloseToTheFullDecodeAsync(oneSecondGop, VideoSampling.Keyframes, frames: 15);
    }

    [Fact]
    public async Task Auto_skips_the_b_frames_of_a_long_gop_h264_video_and_the_features_stay_those_of_the_full_decode()
    {
        // Every pixel moves every frame (the hardest case for decoding fewer frames), one keyframe in 10 s, B-frames,
        // CABAC and deblocking as in most uploads.
        var moving = await ArtworkVideos.FfmpegAsync(Path.Combine(videos.Folder, "moving-gop10s.mp4"),
            ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=12", "-c:v", "libx264", "-preset", "veryfast", "-g", "250", "-pix_fmt", "yuv420p"]);
        var decoder = videos.Extractor.Decoder;
        Assert.Equal(VideoSampling.NoBFrames, await decoder.ChooseAsync(moving, VideoSampling.Auto, Ct));

        var noB = await AssertAutoIsCloseToTheFullDecodeAsync(moving, VideoSampling.NoBFrames, frames: 12);
        Assert.NotEqual(noB.Full.Values, noB.Cheaper.Values); // other frames were decoded: the cosine is not of a copy
    }

    [Fact]
    public async Task A_codec_that_predicts_from_b_frames_is_decoded_in_full()
    {
        // HEVC predicts P-frames from B-frames: decoding without them damages the picture, so Auto must not skip them.
        var hevc = await ArtworkVideos.FfmpegAsync(Path.Combine(videos.Folder, "moving-hevc.mp4"),
            ["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=4", "-c:v", "libx265", "-preset", "veryfast", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p"]);
        Assert.Equal(VideoSampling.Full, await videos.Extractor.Decoder.ChooseAsync(hevc, VideoSampling.Auto, Ct));
    }

    /// <summary>Auto's frames are <paramref name="sampling"/>'s, as many as the full decode's, their vector within cosine 0.99 of it.</summary>
    private async Task<(FrameFeatures Full, FrameFeatures Cheaper)> AssertAutoIsCloseToTheFullDecodeAsync(string path, VideoSampling sampling, int frames)
    {
        var full = await videos.Extractor.ComputeFramesAsync(path, 8, VideoSampling.Full, Ct);
        var cheaper = await videos.Extractor.ComputeFramesAsync(path, 8, sampling, Ct);
        var auto = await videos.Extractor.ExtractAsync(path, Ct);

        Assert.Equal(frames, full.Count);
        Assert.Equal(full.Count, cheaper.Count);
        Assert.Equal(cheaper.Values, auto.FrameFeatures.Values);
        var cosine = VectorMath.Cosine(videos.Extractor.Pool(full).Vector, videos.Extractor.Pool(cheaper).Vector);
        Assert.True(cosine >= 0.99, $"cosine({sampling}, full decode) = {cosine:0.0000}");
        return (full, cheaper);
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
