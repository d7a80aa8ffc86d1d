using TorchSharp;
using VmNet.Training.Native;

namespace VmNet.Trainer.Tests;

/// <summary>The ELF patch behind the TorchSharp build step, on the real libraries of this machine and build.</summary>
public sealed class ElfVersionNeedsTests
{
    private const string LibStdCxx = "libstdc++.so.6";

    private static string OutputLibTorchSharp => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static string SystemLibStdCxx => ElfVersionNeeds.FindSystemLibrary(LibStdCxx) ?? throw new InvalidOperationException("no libstdc++ here");

    [Fact]
    public void SystemLibStdCxxDefinesItsBaseVersions()
    {
        var definitions = ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(SystemLibStdCxx));
        Assert.Contains("GLIBCXX_3.4", definitions);
        Assert.Contains("CXXABI_1.3", definitions);
    }

    [Fact]
    public void BuildOutputHasNoStrongNeedTheSystemLibStdCxxLacks()
    {
        // The build step must have weakened GLIBCXX_3.4.32 here if (and only if) this libstdc++ lacks it.
        var library = File.ReadAllBytes(OutputLibTorchSharp);
        var needs = ElfVersionNeeds.ReadNeeds(library);
        Assert.Contains(needs, n => n.Library == LibStdCxx && n.Version == "GLIBCXX_3.4.32");
        Assert.Empty(ElfVersionNeeds.MissingStrongVersions(library, LibStdCxx, File.ReadAllBytes(SystemLibStdCxx)));
        var systemHasIt = ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(SystemLibStdCxx)).Contains("GLIBCXX_3.4.32");
        Assert.Equal(!systemHasIt, needs.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
    }

    [Fact]
    public void WeakenChangesOnlyThatEntrysFlagsAndIsIdempotent()
    {
        var original = File.ReadAllBytes(OutputLibTorchSharp);
        var target = ElfVersionNeeds.ReadNeeds(original).First(n => n.Library == LibStdCxx && !n.IsWeak);
        var patched = (byte[])original.Clone();

        Assert.Equal(1, ElfVersionNeeds.Weaken(patched, LibStdCxx, target.Version));
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.Equal([target.FlagsOffset], changed.Select(i => (long)i));
        Assert.True(ElfVersionNeeds.ReadNeeds(patched).Single(n => n.Library == LibStdCxx && n.Version == target.Version).IsWeak);
        Assert.Equal(
            ElfVersionNeeds.ReadNeeds(original).Count(n => n.IsWeak) + 1,
            ElfVersionNeeds.ReadNeeds(patched).Count(n => n.IsWeak));

        Assert.Equal(0, ElfVersionNeeds.Weaken(patched, LibStdCxx, target.Version));
        Assert.Equal(0, ElfVersionNeeds.Weaken(patched, LibStdCxx, "GLIBCXX_99.0"));
        Assert.Equal(0, ElfVersionNeeds.Weaken(patched, "libnothing.so", target.Version));
    }

    [Fact]
    public void NonElfInputIsRejected()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadNeeds("not an elf file at all, really, not one bit of it, no no no no no no no"u8.ToArray()));
    }

    [Fact]
    public void TorchSharpLoadsAndTrainsAStep()
    {
        torch.random.manual_seed(1);
        using var layer = torch.nn.Linear(8, 4);
        // A small plain gradient step on a smooth loss must lower it.
        using var optimizer = torch.optim.SGD(layer.parameters(), 0.01);
        using var x = torch.ones(16, 8);
        using var before = layer.forward(x).pow(2).mean();
        before.backward();
        optimizer.step();
        using var after = layer.forward(x).pow(2).mean();
        Assert.True(after.ToDouble() < before.ToDouble());
    }
}
