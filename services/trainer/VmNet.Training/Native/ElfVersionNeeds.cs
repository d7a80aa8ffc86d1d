// Compiled twice: into VmNet.Training (runtime diagnostics, tests) and by MSBuild's RoslynCodeTaskFactory for
// the build step in TorchSharpNativePatch.targets. The task compiler targets netstandard2.0, so this file keeps
// to that API (no spans, no records), spells out its usings, and has no dependency beyond the base library.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace VmNet.Training.Native;

/// <summary>One entry of an ELF file's version-needs table (<c>.gnu.version_r</c>): a library and a version of it.</summary>
public sealed class ElfVersionNeed(string library, string version, ushort flags, long flagsOffset)
{
    /// <summary>VER_FLG_WEAK: the loader tolerates the version's absence instead of refusing to load.</summary>
    public const ushort WeakFlag = 0x2;

    public string Library { get; } = library;

    public string Version { get; } = version;

    public ushort Flags { get; } = flags;

    /// <summary>File offset of the <c>vna_flags</c> field, the two bytes the patch changes.</summary>
    public long FlagsOffset { get; } = flagsOffset;

    public bool IsWeak => (Flags & WeakFlag) != 0;
}

/// <summary>
/// Reads the version tables of a 64-bit little-endian ELF shared library and marks chosen version needs weak.
/// Why: TorchSharp 0.107's libLibTorchSharp.so asks libstdc++ for GLIBCXX_3.4.32 (GCC 13) because of one symbol
/// it references but never calls; Debian 12 ships up to 3.4.30, so the loader refuses the whole library.
/// </summary>
public static class ElfVersionNeeds
{
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>Every version need in the file.</summary>
    public static List<ElfVersionNeed> ReadNeeds(byte[] elf)
    {
        var needs = new List<ElfVersionNeed>();
        foreach (var section in Sections(elf, ShtGnuVerneed))
        {
            var strings = StringTable(elf, section.Link);
            long entry = section.Offset;
            for (var i = 0; i < section.Info; i++)
            {
                var count = U16(elf, entry + 2);
                var file = Str(elf, strings, U32(elf, entry + 4));
                long aux = entry + U32(elf, entry + 8);
                for (var j = 0; j < count; j++)
                {
                    needs.Add(new ElfVersionNeed(file, Str(elf, strings, U32(elf, aux + 8)), U16(elf, aux + 4), aux + 4));
                    aux += U32(elf, aux + 12);
                }

                var next = U32(elf, entry + 12);
                if (next == 0)
                {
                    break;
                }

                entry += next;
            }
        }

        return needs;
    }

    /// <summary>The version names a library defines (<c>.gnu.version_d</c>), e.g. GLIBCXX_3.4.30 for libstdc++.</summary>
    public static List<string> ReadDefinitions(byte[] elf)
    {
        var names = new List<string>();
        foreach (var section in Sections(elf, ShtGnuVerdef))
        {
            var strings = StringTable(elf, section.Link);
            long entry = section.Offset;
            for (var i = 0; i < section.Info; i++)
            {
                var count = U16(elf, entry + 6);
                long aux = entry + U32(elf, entry + 12);
                for (var j = 0; j < count; j++)
                {
                    names.Add(Str(elf, strings, U32(elf, aux)));
                    aux += U32(elf, aux + 4);
                }

                var next = U32(elf, entry + 16);
                if (next == 0)
                {
                    break;
                }

                entry += next;
            }
        }

        return names;
    }

    /// <summary>
    /// Marks the need for <paramref name="version"/> of <paramref name="library"/> weak, in place. Returns how many
    /// entries changed: 0 when already weak or not needed at all (so the patch is idempotent).
    /// </summary>
    public static int Weaken(byte[] elf, string library, string version)
    {
        var changed = 0;
        foreach (var need in ReadNeeds(elf))
        {
            if (need.Library == library && need.Version == version && !need.IsWeak)
            {
                var flags = (ushort)(need.Flags | ElfVersionNeed.WeakFlag);
                elf[need.FlagsOffset] = (byte)(flags & 0xff);
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed++;
            }
        }

        return changed;
    }

    /// <summary>
    /// The libstdc++ the dynamic loader gives this process (from /proc/self/maps: the .NET host links it), else the
    /// first one found in the usual library folders; null when there is none (not Linux).
    /// </summary>
    public static string? FindSystemLibrary(string soname)
    {
        const string maps = "/proc/self/maps";
        if (File.Exists(maps))
        {
            foreach (var line in File.ReadAllLines(maps))
            {
                var slash = line.IndexOf('/');
                if (slash >= 0 && Path.GetFileName(line.Substring(slash)) == soname)
                {
                    return line.Substring(slash);
                }
            }
        }

        string[] folders =
        [
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/usr/lib64", "/lib64", "/usr/lib", "/lib",
        ];
        foreach (var folder in folders)
        {
            var candidate = Path.Combine(folder, soname);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Needs of <paramref name="elf"/> on <paramref name="library"/> that are strong and that <paramref name="provider"/> does not define.</summary>
    public static List<string> MissingStrongVersions(byte[] elf, string library, byte[] provider)
    {
        var defined = new HashSet<string>(ReadDefinitions(provider));
        var missing = new List<string>();
        foreach (var need in ReadNeeds(elf))
        {
            if (need.Library == library && !need.IsWeak && !defined.Contains(need.Version))
            {
                missing.Add(need.Version);
            }
        }

        return missing;
    }

    private sealed class Section(long offset, uint link, uint info)
    {
        public long Offset { get; } = offset;

        public uint Link { get; } = link;

        public uint Info { get; } = info;
    }

    private static List<Section> Sections(byte[] elf, uint type)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
        }

        var shoff = (long)U64(elf, 0x28);
        var shentsize = U16(elf, 0x3a);
        var shnum = U16(elf, 0x3c);
        if (shoff <= 0 || shentsize < 64 || shoff + ((long)shnum * shentsize) > elf.Length)
        {
            throw new InvalidDataException("ELF section header table is missing or truncated");
        }

        var found = new List<Section>();
        for (var i = 0; i < shnum; i++)
        {
            long header = shoff + ((long)i * shentsize);
            if (U32(elf, header + 4) == type)
            {
                found.Add(new Section((long)U64(elf, header + 0x18), U32(elf, header + 0x28), U32(elf, header + 0x2c)));
            }
        }

        return found;
    }

    private static long StringTable(byte[] elf, uint index)
    {
        long header = (long)U64(elf, 0x28) + ((long)index * U16(elf, 0x3a));
        return (long)U64(elf, header + 0x18);
    }

    private static string Str(byte[] elf, long table, uint offset)
    {
        long start = table + offset;
        long end = start;
        while (end < elf.Length && elf[end] != 0)
        {
            end++;
        }

        return Encoding.ASCII.GetString(elf, (int)start, (int)(end - start));
    }

    private static ushort U16(byte[] b, long at) => Checked(b, at, 2) ? (ushort)(b[at] | (b[at + 1] << 8)) : (ushort)0;

    private static uint U32(byte[] b, long at) => Checked(b, at, 4) ? (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) : 0;

    private static ulong U64(byte[] b, long at) => Checked(b, at, 8) ? U32(b, at) | ((ulong)U32(b, at + 4) << 32) : 0;

    private static bool Checked(byte[] b, long at, int size) =>
        at >= 0 && at + size <= b.Length ? true : throw new InvalidDataException($"ELF structure points outside the file (offset {at})");
}

#if !VMNET_TRAINING
/// <summary>
/// MSBuild step: copies <c>Source</c> to <c>Destination</c> with every strong version need of libstdc++ that the
/// build machine's libstdc++ lacks, and that is listed in <c>Versions</c>, marked weak. <c>Patched</c> is false
/// (and nothing is written) where the system library has them all, as on Debian 13 and newer.
/// </summary>
public sealed class WeakenMissingVersionNeeds : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public string Source { get; set; } = string.Empty;

    [Microsoft.Build.Framework.Required]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Semicolon-separated versions that may be weakened; anything else missing is left to fail loudly.</summary>
    public string Versions { get; set; } = "GLIBCXX_3.4.32";

    public string Library { get; set; } = "libstdc++.so.6";

    [Microsoft.Build.Framework.Output]
    public bool Patched { get; set; }

    public override bool Execute()
    {
        var system = ElfVersionNeeds.FindSystemLibrary(Library);
        if (system is null)
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, $"{Library} not found on this machine; {Path.GetFileName(Source)} left as it is");
            return true;
        }

        var elf = File.ReadAllBytes(Source);
        var allowed = new HashSet<string>(Versions.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries));
        var changed = 0;
        foreach (var version in ElfVersionNeeds.MissingStrongVersions(elf, Library, File.ReadAllBytes(system)))
        {
            if (allowed.Contains(version))
            {
                changed += ElfVersionNeeds.Weaken(elf, Library, version);
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, $"{Path.GetFileName(Source)}: {system} lacks {version}; marked that version need weak");
            }
        }

        if (changed > 0)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Destination)!);
            File.WriteAllBytes(Destination, elf);
            Patched = true;
        }

        return true;
    }
}
#endif
