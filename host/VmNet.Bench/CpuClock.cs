using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VmNet.Bench;

/// <summary>
/// CPU seconds used by this process and by its finished child processes (FFmpeg), so a stage's cost in core-seconds
/// can be read on a machine whose other load makes wall time meaningless. Children are counted on Linux only
/// (getrusage RUSAGE_CHILDREN, which adds a child once it has been waited for); elsewhere only this process.
/// </summary>
internal static partial class CpuClock
{
    public static double Seconds()
    {
        var self = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        if (!OperatingSystem.IsLinux())
        {
            return self;
        }

        try
        {
            return GetRUsage(-1 /* RUSAGE_CHILDREN */, out var usage) == 0
                ? self + usage[0] + (usage[1] / 1e6) + usage[2] + (usage[3] / 1e6)
                : self;
        }
        catch (EntryPointNotFoundException)
        {
            return self;
        }
    }

    // struct rusage on 64-bit Linux: ru_utime and ru_stime (timeval: two longs each), then 14 longs.
    [InlineArray(18)]
    internal struct RUsage
    {
        private long _element;
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, out RUsage usage);
}
