using VmNet.Contracts;
using VmNet.Corpus;

namespace VmNet.Demo;

/// <summary>A file the demo ingests, with what the generator knows about it (nothing for a user's folder).</summary>
public sealed record DemoItem(string Path, string Name, MediaKind Kind, int? Cluster, string? Style);

/// <summary>The files of one demo run: the catalogue (pairs and music-only tracks) and the later video-only uploads.</summary>
public sealed record DemoCorpus(string Directory, bool Generated, IReadOnlyList<DemoItem> Catalogue, IReadOnlyList<DemoItem> Uploads)
{
    /// <summary>Containers FFmpeg reads that music videos come in.</summary>
    public static readonly IReadOnlySet<string> VideoExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".mp4", ".m4v", ".mkv", ".webm", ".mov", ".avi", ".mpg", ".mpeg", ".ts", ".flv", ".ogv",
    };

    /// <summary>Renders (or reuses) the generated corpus under <c>DATA/corpus</c>.</summary>
    public static async Task<DemoCorpus> GenerateAsync(DemoOptions options, IProgress<CorpusProgress>? progress, CancellationToken cancellationToken)
    {
        var corpusOptions = new CorpusOptions
        {
            OutputDirectory = System.IO.Path.Combine(options.DataDirectory, "corpus"),
            Pairs = options.Pairs,
            Seconds = options.Seconds,
            Seed = options.Seed,
            Style = options.CorpusStyle,
            MusicOnly = options.MusicOnly ?? Math.Max(1, options.Pairs / 10),
            VideoOnly = options.Uploads,
        };
        var manifest = await CorpusGenerator.GenerateAsync(corpusOptions, progress, cancellationToken);
        DemoItem Item(CorpusItem i, MediaKind kind) => new(manifest.PathOf(i), i.File, kind, i.Cluster, i.Style);
        return new DemoCorpus(
            manifest.Directory,
            Generated: true,
            [.. manifest.OfKind(CorpusItemKind.Pair).Select(i => Item(i, MediaKind.Pair)), .. manifest.OfKind(CorpusItemKind.Music).Select(i => Item(i, MediaKind.Music))],
            [.. manifest.OfKind(CorpusItemKind.Video).Select(i => Item(i, MediaKind.Video))]);
    }

    /// <summary>Every video file under <paramref name="directory"/> (recursively) is taken for a pair; ingest refuses those without audio.</summary>
    public static DemoCorpus FromFolder(string directory)
    {
        var root = System.IO.Path.GetFullPath(directory);
        var files = System.IO.Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => VideoExtensions.Contains(System.IO.Path.GetExtension(f)))
            .Order(StringComparer.Ordinal)
            .Select(f => new DemoItem(f, System.IO.Path.GetRelativePath(root, f), MediaKind.Pair, null, null))
            .ToList();
        if (files.Count == 0)
        {
            throw new ArgumentException($"no video files ({string.Join(' ', VideoExtensions.Order())}) under '{root}'");
        }

        return new DemoCorpus(root, Generated: false, files, []);
    }
}
