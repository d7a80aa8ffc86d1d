using VmNet.Testing;

namespace VmNet.Corpus.Tests;

/// <summary>Tiny corpora: short, small frames, so a test renders in a second or two.</summary>
internal static class SmallCorpus
{
    public static CorpusOptions Options(string directory, int pairs = 3, int seed = 7, int musicOnly = 1, int videoOnly = 1) => new()
    {
        OutputDirectory = directory,
        Pairs = pairs,
        MusicOnly = musicOnly,
        VideoOnly = videoOnly,
        Seconds = 1.5,
        Seed = seed,
        Width = 64,
        Height = 48,
        FramesPerSecond = 8,
    };
}

/// <summary>One corpus shared by the read-only tests of a class.</summary>
public sealed class SharedCorpus : IAsyncLifetime
{
    private readonly TempFolder _folder = new("corpus");

    public CorpusManifest Manifest { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Manifest = await CorpusGenerator.GenerateAsync(SmallCorpus.Options(_folder.Path, pairs: 10, seed: 11, musicOnly: 2, videoOnly: 2));

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
