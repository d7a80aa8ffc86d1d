using VmNet.Media;

namespace VmNet.Corpus;

/// <summary>Where generation stands: items finished (rendered or found on disk) out of all, and how many were rendered.</summary>
public sealed record CorpusProgress(int Done, int Total, int Rendered, string? LastFile);

/// <summary>
/// Generates a corpus: plans every item from the seed (cheap, deterministic, order-free: item i of a kind gets
/// the same factors whatever the counts), reuses what a matching manifest already has on disk, renders the rest
/// in parallel, and writes <c>corpus.json</c> last, so a manifest on disk always describes complete files.
/// </summary>
public static class CorpusGenerator
{
    /// <summary>The manifest <paramref name="options"/> describe, without rendering anything.</summary>
    public static CorpusManifest Plan(CorpusOptions options)
    {
        options.Validate();
        var items = new List<CorpusItem>(options.Pairs + options.MusicOnly + options.VideoOnly);
        var book = StyleBook.For(options.Style);
        items.AddRange(Enumerable.Range(0, options.Pairs).Select(i => PlanItem(options.Seed, book, CorpusItemKind.Pair, i)));
        items.AddRange(Enumerable.Range(0, options.MusicOnly).Select(i => PlanItem(options.Seed, book, CorpusItemKind.Music, i)));
        items.AddRange(Enumerable.Range(0, options.VideoOnly).Select(i => PlanItem(options.Seed, book, CorpusItemKind.Video, i)));
        return new CorpusManifest(
            CorpusManifest.FormatName, CorpusManifest.CurrentGeneratorVersion, options.Recipe, book.Items, items)
        {
            Directory = Path.GetFullPath(options.OutputDirectory),
        };
    }

    public static async Task<CorpusManifest> GenerateAsync(
        CorpusOptions options, IProgress<CorpusProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var plan = Plan(options);
        var directory = plan.Directory;
        EnsureWritable(directory);

        // Leftovers of a run that was killed mid-item.
        foreach (var leftover in Directory.EnumerateFiles(directory, ".*.partial*"))
        {
            File.Delete(leftover);
        }

        var previous = TryLoad(directory);
        var sameRecipe = previous is not null
            && previous.GeneratorVersion == plan.GeneratorVersion
            && previous.Recipe == plan.Recipe;
        if (previous is not null && !sameRecipe)
        {
            RemoveStale(previous, plan);
        }

        var missing = plan.Items.Where(i => !sameRecipe || !File.Exists(plan.PathOf(i))).ToList();
        var gate = new object();
        var done = plan.Items.Count - missing.Count;
        var rendered = 0;
        progress?.Report(new CorpusProgress(done, plan.Items.Count, 0, null));
        if (missing.Count == 0)
        {
            return plan with { Reused = true };
        }

        // The old manifest goes first: it must never describe files that are being rewritten.
        File.Delete(Path.Combine(directory, CorpusManifest.FileName));
        await Parallel.ForEachAsync(
            missing,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                await RenderAsync(plan, item, ct);
                lock (gate)
                {
                    // Reported under the lock: callers get ordered, never concurrent, callbacks.
                    progress?.Report(new CorpusProgress(++done, plan.Items.Count, ++rendered, item.File));
                }
            });

        var manifestPath = Path.Combine(directory, CorpusManifest.FileName);
        await File.WriteAllBytesAsync(manifestPath + ".partial", plan.ToJsonBytes(), cancellationToken);
        File.Move(manifestPath + ".partial", manifestPath, overwrite: true);
        return plan;
    }

    private static CorpusItem PlanItem(int seed, StyleBook book, CorpusItemKind kind, int index)
    {
        var name = kind.ToString().ToLowerInvariant();
        // The neon streams are named apart, so its items share no random draws with classic items of the same seed.
        var stream = book.Corpus == CorpusStyle.Classic ? name : "neon/" + name;
        var random = SplitMix64.For(seed, stream, index);
        var style = book.Items[random.Next(book.Items.Count)];
        var factors = LatentFactors.Draw(style, book, random);
        // Each side draws its noise from its own stream: the two renderings share only the factors.
        var music = kind == CorpusItemKind.Video ? null : MusicParameters.From(factors, style, book.Corpus, SplitMix64.For(seed, stream + "/music", index));
        var video = kind == CorpusItemKind.Music ? null : VideoParameters.From(factors, style, book.Corpus, SplitMix64.For(seed, stream + "/video", index));
        var id = $"{name}-{index:D5}";
        var file = id + (kind == CorpusItemKind.Music ? ".m4a" : ".mp4");
        return new CorpusItem(id, file, kind, style.Id, style.Name, factors, music, video);
    }

    private static async Task RenderAsync(CorpusManifest plan, CorpusItem item, CancellationToken cancellationToken)
    {
        var recipe = plan.Recipe;
        var target = plan.PathOf(item);
        var partial = Path.Combine(plan.Directory, "." + item.File + ".partial");
        var audio = item.Music is null ? null : MusicRenderer.Render(item.Music, recipe.Seconds, recipe.SampleRate);
        var video = item.Video is null ? null : new VideoRenderer(item.Video, recipe.Width, recipe.Height, recipe.FramesPerSecond);
        var frames = Math.Max(1, (int)Math.Round(recipe.Seconds * recipe.FramesPerSecond));
        var timeout = TimeSpan.FromSeconds(60 + (recipe.Seconds * 10));
        try
        {
            await CorpusEncoder.EncodeAsync(
                partial, audio, recipe.SampleRate, video, frames, recipe.FramesPerSecond, recipe.Width, recipe.Height, timeout, cancellationToken);
            File.Move(partial, target, overwrite: true);
        }
        catch (CorpusException e)
        {
            throw new CorpusException($"{item.File}: {e.Message}", e);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static void EnsureWritable(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".write-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CorpusException($"cannot write to the output directory '{directory}': {e.Message}", e);
        }
    }

    private static CorpusManifest? TryLoad(string directory)
    {
        try
        {
            return File.Exists(Path.Combine(directory, CorpusManifest.FileName)) ? CorpusManifest.Load(directory) : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    // Files an older recipe listed and this one does not: removed, so the folder holds one corpus. Only names
    // inside the folder are touched, whatever the old manifest says.
    private static void RemoveStale(CorpusManifest previous, CorpusManifest plan)
    {
        var keep = plan.Items.Select(i => i.File).ToHashSet(StringComparer.Ordinal);
        foreach (var item in previous.Items.Where(i => !keep.Contains(i.File)))
        {
            try
            {
                File.Delete(PathGuard.Inside(plan.Directory, item.File));
            }
            catch (UnsafePathException)
            {
            }
        }
    }
}
