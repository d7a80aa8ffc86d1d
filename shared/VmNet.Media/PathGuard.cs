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

        // A symlink inside the root may still point out of it.
        var target = ResolveLinks(full);
        var realRoot = ResolveLinks(fullRoot);
        if (!IsUnder(realRoot, target))
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

    private static bool IsUnder(string root, string full) =>
        full.Equals(root, StringComparison.Ordinal)
        || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

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
