using System.Globalization;
using VmNet.Media;
using VmNet.Testing;
using VmNet.VideoFeatures;

[assembly: AssemblyFixture(typeof(VmNet.VideoFeatures.Tests.ArtworkVideos))]

namespace VmNet.VideoFeatures.Tests;

/// <summary>
/// Real pictures — the nature photographs of Debian's <c>mate-backgrounds</c> package (scripts/apt-packages.txt;
/// GPL-2+/CC licences per its copyright file) — turned into small H.264 slideshows by the real ffmpeg, and one
/// extractor (the packaged ResNet18 on ONNX Runtime) shared by every test.
/// </summary>
public sealed class ArtworkVideos : IAsyncLifetime
{
    public const string ArtworkFolder = "/usr/share/backgrounds/mate/nature";

    private readonly TempFolder _temp = new("video-features");

    public VideoFeatureExtractor Extractor { get; } = new(new VideoFeatureOptions(), pcaStore: null);

    public string Folder => _temp.Path;

    /// <summary>LadyBird, FreshFlower, GreenMeadow: 5 s each (15 frames at 1/s).</summary>
    public string Garden { get; private set; } = string.Empty;

    /// <summary><see cref="Garden"/> at half speed.</summary>
    public string GardenSlow { get; private set; } = string.Empty;

    /// <summary><see cref="Garden"/>'s stream copied into Matroska: other bytes, the same pictures.</summary>
    public string GardenRemuxed { get; private set; } = string.Empty;

    /// <summary>Storm, Dune, Wood: a visually different video.</summary>
    public string Weather { get; private set; } = string.Empty;

    public static string Picture(string name)
    {
        var path = Path.Combine(ArtworkFolder, name);
        Assert.True(File.Exists(path), $"{path} is missing: install the Debian package mate-backgrounds (scripts/setup.sh)");
        return path;
    }

    public async ValueTask InitializeAsync()
    {
        Garden = await SlideshowAsync(_temp.File("garden.mp4"), ["LadyBird.jpg", "FreshFlower.jpg", "GreenMeadow.jpg"], 5);
        Weather = await SlideshowAsync(_temp.File("weather.mp4"), ["Storm.jpg", "Dune.jpg", "Wood.jpg"], 5);
        GardenSlow = await FfmpegAsync(_temp.File("garden-slow.mp4"),
            ["-i", Garden, "-vf", "setpts=2*PTS", "-r", "25", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]);
        GardenRemuxed = await FfmpegAsync(_temp.File("garden.mkv"), ["-i", Garden, "-c", "copy"]);
    }

    /// <summary>A 320×180 25 fps slideshow of <paramref name="pictures"/>, <paramref name="seconds"/> each.</summary>
    public static Task<string> SlideshowAsync(string path, IReadOnlyList<string> pictures, double seconds)
    {
        var inputs = pictures.SelectMany(p => new[] { "-loop", "1", "-t", F(seconds), "-i", Picture(p) });
        var scaled = string.Concat(pictures.Select((_, i) =>
            $"[{i}:v]scale=320:180:force_original_aspect_ratio=increase,crop=320:180,setsar=1,fps=25[v{i}];"));
        var concat = string.Concat(pictures.Select((_, i) => $"[v{i}]")) + $"concat=n={pictures.Count}:v=1:a=0,format=yuv420p[out]";
        return FfmpegAsync(path, [.. inputs, "-filter_complex", scaled + concat, "-map", "[out]", "-c:v", "libx264", "-preset", "ultrafast"]);
    }

    public static async Task<string> FfmpegAsync(string path, IReadOnlyList<string> arguments)
    {
        string[] all = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", .. arguments, path];
        var result = await ProcessRunner.RunAsync("ffmpeg", all, TimeSpan.FromMinutes(2), CancellationToken.None);
        Assert.True(result.ExitCode == 0, $"ffmpeg failed making {path}: {result.StandardError}");
        return path;
    }

    public ValueTask DisposeAsync()
    {
        Extractor.Dispose();
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
