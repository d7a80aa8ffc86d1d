using VmNet.Catalogue;
using VmNet.VideoFeatures;

namespace VmNet.VideoFeatures.Tests;

/// <summary>
/// The packaged ResNet18 ends at its global average pool (no 1000-class head ships with it), so the ImageNet
/// check is made on the features: an ImageNet-trained penultimate layer recognises a photograph after a
/// mirror flip and a 20 % crop among other photographs,
/// and its pooled features are those of a ReLU network (non-negative).
/// </summary>
public sealed class ImageNetSanityTests(ArtworkVideos videos)
{
    private static readonly string[] Pictures =
        ["LadyBird.jpg", "FreshFlower.jpg", "YellowFlower.jpg", "GreenMeadow.jpg", "Storm.jpg", "Dune.jpg", "Wood.jpg", "RainDrops.jpg", "Garden.jpg"];

    [Fact]
    public async Task Features_recognise_a_flipped_and_cropped_photograph()
    {
        var size = videos.Extractor.Cnn.InputSize;
        var originals = new List<byte[]>();
        var altered = new List<byte[]>();
        foreach (var picture in Pictures)
        {
            originals.Add(await RgbAsync(ArtworkVideos.Picture(picture), size, string.Empty));
            altered.Add(await RgbAsync(ArtworkVideos.Picture(picture), size, "hflip,crop=iw*0.8:ih*0.8,"));
        }

        var a = videos.Extractor.Cnn.Featurize(originals);
        var b = videos.Extractor.Cnn.Featurize(altered);
        var d = videos.Extractor.Cnn.Dimension;

        var featureHits = Enumerable.Range(0, Pictures.Length).Count(i => Nearest(b.AsSpan(i * d, d), a, d, Pictures.Length) == i);
        Assert.Equal(Pictures.Length, featureHits);
        Assert.All(a, v => Assert.True(v >= 0, "pooled ReLU features are non-negative"));
    }

    private static int Nearest(ReadOnlySpan<float> query, float[] rows, int d, int count)
    {
        var best = -1;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < count; i++)
        {
            var score = VectorMath.Cosine(query, rows.AsSpan(i * d, d));
            if (score > bestScore)
            {
                (best, bestScore) = (i, score);
            }
        }

        return best;
    }

    private static async Task<byte[]> RgbAsync(string picture, int size, string filter)
    {
        string[] args =
        [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-i", picture,
            "-vf", $"{filter}scale={size}:{size}:force_original_aspect_ratio=increase,crop={size}:{size}",
            "-frames:v", "1", "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1",
        ];
        var result = await VmNet.Media.ProcessRunner.RunAsync("ffmpeg", args, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, captureStdout: true);
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal(size * size * 3, result.StandardOutput.Length);
        return result.StandardOutput;
    }
}
