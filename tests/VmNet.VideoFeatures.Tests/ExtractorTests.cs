using VmNet.Catalogue;
using VmNet.Media;
using VmNet.VideoFeatures;

namespace VmNet.VideoFeatures.Tests;

public sealed class ExtractorTests(ArtworkVideos videos)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Identical_pictures_give_identical_vectors()
    {
        var mp4 = await videos.Extractor.ExtractAsync(videos.Garden, Ct);
        var mkv = await videos.Extractor.ExtractAsync(videos.GardenRemuxed, Ct);

        Assert.Equal(15, mp4.Frames);
        Assert.Equal(mp4.Frames, mkv.Frames);
        Assert.Equal(mp4.Vector, mkv.Vector);
        Assert.Equal(StatisticsPooling.Blocks * 512, mp4.Dimension);
        Assert.False(mp4.Whitened);
        Assert.Null(mp4.PcaVersion);
        Assert.Equal(VideoFeatureExtractor.DefaultExtractorVersion, mp4.ExtractorVersion);
        Assert.Equal(1.0, Math.Sqrt(mp4.Vector.Sum(v => (double)v * v)), 4);
    }

    [Fact]
    public async Task A_twice_slower_copy_stays_close_and_different_pictures_do_not()
    {
        var garden = await videos.Extractor.ExtractAsync(videos.Garden, Ct);
        var slow = await videos.Extractor.ExtractAsync(videos.GardenSlow, Ct);
        var weather = await videos.Extractor.ExtractAsync(videos.Weather, Ct);

        Assert.Equal(2 * garden.Frames, slow.Frames);
        var same = VectorMath.Cosine(garden.Vector, slow.Vector);
        var different = VectorMath.Cosine(garden.Vector, weather.Vector);
        Assert.True(same >= 0.99, $"cosine(video, 2× slower copy) = {same:0.0000}");
        Assert.True(different < same - 0.1, $"cosine(garden, weather) = {different:0.0000} is not clearly below {same:0.0000}");
    }

    [Fact]
    public async Task A_clip_shorter_than_a_second_still_gives_a_vector()
    {
        var clip = await ArtworkVideos.FfmpegAsync(Path.Combine(videos.Folder, "short.mp4"),
            ["-i", videos.Garden, "-t", "0.3", "-c:v", "libx264", "-preset", "ultrafast"]);

        var result = await videos.Extractor.ExtractAsync(clip, Ct);

        Assert.Equal(1, result.Frames);
        Assert.Equal(StatisticsPooling.Blocks * 512, result.Dimension);
        Assert.All(result.Vector, v => Assert.True(float.IsFinite(v)));
        // One frame: no variation, and every order statistic is that frame's value.
        var std = result.Layout.Segments.Single(s => s.Name == "std");
        Assert.All(result.Vector.Skip(std.Start).Take(std.Length), v => Assert.Equal(0f, v));
        var mean = result.Vector.AsSpan(0, 512).ToArray();
        Assert.Equal(mean, result.Vector.AsSpan(result.Layout.Segments.Single(s => s.Name == "top5").Start, 512).ToArray());
    }

    [Fact]
    public async Task Unreadable_video_fails_with_ffmpegs_reason()
    {
        var garbage = Path.Combine(videos.Folder, "garbage.mp4");
        await File.WriteAllBytesAsync(garbage, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))], Ct);
        var truncated = Path.Combine(videos.Folder, "truncated.mp4");
        var bytes = await File.ReadAllBytesAsync(videos.Garden, Ct);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 3)], Ct);

        var e1 = await Assert.ThrowsAsync<MediaDecodeException>(() => videos.Extractor.ExtractAsync(garbage, Ct));
        var e2 = await Assert.ThrowsAsync<MediaDecodeException>(() => videos.Extractor.ExtractAsync(truncated, Ct));
        var e3 = await Assert.ThrowsAsync<MediaDecodeException>(() => videos.Extractor.ExtractAsync(Path.Combine(videos.Folder, "absent.mp4"), Ct));

        Assert.Contains("ffmpeg", e1.Message, StringComparison.Ordinal);
        Assert.Contains("ffmpeg", e2.Message, StringComparison.Ordinal);
        Assert.Contains("no such file", e3.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batches_give_the_same_features_as_single_frames()
    {
        var frames = new List<byte[]>();
        await foreach (var frame in videos.Extractor.Decoder.DecodeAsync(videos.Garden, Ct))
        {
            frames.Add(frame);
        }

        var batched = videos.Extractor.Cnn.Featurize(frames.Take(3).ToList());
        var single = frames.Take(3).SelectMany(f => videos.Extractor.Cnn.Featurize([f])).ToArray();

        Assert.Equal(3 * 512, batched.Length);
        for (var i = 0; i < batched.Length; i++)
        {
            Assert.Equal(single[i], batched[i], 1e-4f);
        }
    }
}
