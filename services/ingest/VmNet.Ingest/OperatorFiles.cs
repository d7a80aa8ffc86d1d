using System.Collections.Concurrent;
using VmNet.Media;

namespace VmNet.Ingest;

/// <summary>
/// Files the person at the keyboard named on the command line of a process that runs ingest itself (the embedded
/// default): those exact files may be ingested from anywhere they can be read. Messages stay confined to
/// <c>Ingest:MediaRoots</c>: a grant names one file by its real path, so a message for any other file, a link to
/// another file or a folder of the granted one is still refused. Nothing on the bus can add a grant; only code in this
/// process can, and <c>vmnet serve</c> never does.
/// </summary>
public sealed class OperatorFiles
{
    private readonly ConcurrentDictionary<string, bool> _granted = new(StringComparer.Ordinal);

    /// <summary>Allows the file at <paramref name="path"/> (resolved now); false when it is not an existing file.</summary>
    public bool Grant(string path)
    {
        if (PathGuard.RealFile(path) is not { } real)
        {
            return false;
        }

        _granted[real] = true;
        return true;
    }

    /// <summary>True when <paramref name="path"/> resolves to a granted file; <paramref name="real"/> is its real path.</summary>
    public bool Allows(string path, out string real)
    {
        real = PathGuard.RealFile(path) ?? string.Empty;
        return real.Length > 0 && _granted.ContainsKey(real);
    }
}
