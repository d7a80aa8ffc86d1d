using System.Globalization;
using System.Runtime.InteropServices;
using VmNet.Testing;

namespace VmNet.AudioFeatures.Tests;

/// <summary>The librosa 0.5.1 reference vectors and inputs in tests/data/audio-ref (see its README).</summary>
public static class ReferenceData
{
    public static string Folder => Path.Combine(RepoPaths.TestData, "audio-ref");

    /// <summary>Every reference: name and input file.</summary>
    public static IReadOnlyList<(string Name, string File)> Inputs { get; } = File.ReadAllLines(Path.Combine(Folder, "inputs.csv"))
        .Skip(1)
        .Select(line => line.Split(','))
        .Select(cells => (cells[0], Path.Combine(Folder, cells[1])))
        .ToList();

    public static float[] Vector(string name) => File.ReadAllLines(Path.Combine(Folder, "vectors", name + ".txt"))
        .Where(l => l.Length > 0)
        .Select(l => float.Parse(l, CultureInfo.InvariantCulture))
        .ToArray();

    /// <summary>The reference's own 12 kHz clip (after load and crop/pad), where the README provides one.</summary>
    public static float[] Signal(string name) =>
        MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(Folder, "signals", name + ".12k.f32le"))).ToArray();

    public static IEnumerable<string> SignalNames => ["battle-epic", "elf-land"];
}
