using System.Runtime.InteropServices;

namespace VmNet.Media;

/// <summary>Containment checks for untrusted paths: no traversal, no symlink escape.</summary>
public static class PathGuard
{
    /// <summary>Resolves <paramref name="path"/> (relative to <paramref name="root"/>) and requires it inside root.</summary>
    public static string Inside(string root, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new UnsafePathException("empty or malformed path");
        }

        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var full = Path.GetFullPath(Path.Combine(fullRoot, path));
        if (!IsUnder(fullRoot, full))
        {
            throw new UnsafePathException($"path '{path}' is outside '{fullRoot}'");
        }

        // A symlink inside the root may still point out of it. The kernel resolves the path (links first, then "..",
        // relative link targets from the link's real folder); text-level resolution gets "link/../x" wrong, so both the
        // path as given and the collapsed one callers open must resolve inside the root's real path.
        var realRoot = RealPath(fullRoot);
        if (!IsUnder(realRoot, RealPath(full)) || !IsUnder(realRoot, RealPath(Path.Combine(fullRoot, path))))
        {
            throw new UnsafePathException($"path '{path}' leads outside '{fullRoot}'");
        }

        return full;
    }

    /// <summary>True when <paramref name="path"/> lies inside any of <paramref name="roots"/>.</summary>
    public static bool TryInsideAny(IEnumerable<string> roots, string path, out string full)
    {
        foreach (var root in roots)
        {
            try
            {
                full = Inside(root, path);
                return true;
            }
            catch (UnsafePathException)
            {
            }
        }

        full = string.Empty;
        return false;
    }

    /// <summary>
    /// The real path of an existing file (links and ".." resolved by the kernel), for comparing two names of one file;
    /// null when the path is malformed or nothing is there.
    /// </summary>
    public static string? RealFile(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal) || !File.Exists(path))
        {
            return null;
        }

        return RealPath(Path.GetFullPath(path));
    }

    private static bool IsUnder(string root, string full) =>
        full.Equals(root, StringComparison.Ordinal)
        || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    // realpath(3) where the OS has it; a path that does not exist yet resolves its folder and keeps its name.
    private static string RealPath(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return ResolveLinks(path);
        }

        var resolved = NativeRealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(path));
            return string.IsNullOrEmpty(parent) || parent == path ? path : Path.Combine(RealPath(parent), Path.GetFileName(Path.TrimEndingDirectorySeparator(path)));
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved) ?? path;
        }
        finally
        {
            NativeFree(resolved);
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for two libc calls.
    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr NativeRealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void NativeFree(IntPtr pointer);
#pragma warning restore SYSLIB1054

    // Follows symlinks component by component, so a link inside the root cannot lead out of it.
    private static string ResolveLinks(string full)
    {
        var result = Path.GetPathRoot(full) ?? "/";
        foreach (var part in full[result.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(result, part);
            FileSystemInfo? link = Directory.Exists(next)
                ? new DirectoryInfo(next).ResolveLinkTarget(returnFinalTarget: true)
                : File.Exists(next) ? new FileInfo(next).ResolveLinkTarget(returnFinalTarget: true) : null;
            result = link?.FullName ?? next;
        }

        return result;
    }
}

/// <summary>An untrusted path tried to leave its allowed folder.</summary>
public sealed class UnsafePathException(string message) : Exception(message);
