using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VmNet.Media;

namespace VmNet.ServiceDefaults;

/// <summary>
/// At start-up, removes what a crashed or killed process left in the data directory: anything under <c>tmp/</c>
/// (downloads, private copies, uploaded clips) and <c>*.partial</c> parts under <c>media/</c>, once older than
/// <c>Storage:TempMaxAge</c> (default 6 h). Several processes may share one data directory (compose mounts one
/// volume in every role), so only files far older than any running operation may take are removed: every FFmpeg,
/// download and clip timeout is minutes.
/// </summary>
internal sealed partial class TempSweeper(DataDirectory data, IConfiguration configuration, ILogger<TempSweeper> logger) : IHostedService
{
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromHours(6);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var maxAge = configuration.GetValue<TimeSpan?>("Storage:TempMaxAge") ?? DefaultMaxAge;
        var cutoff = DateTime.UtcNow - maxAge;
        var removed = 0;
        removed += Sweep(data.Temp, "*", cutoff);
        var media = Path.Combine(data.Root, "media");
        if (Directory.Exists(media))
        {
            removed += Sweep(media, "*.partial", cutoff);
        }

        if (removed > 0)
        {
            LogSwept(removed, maxAge);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static int Sweep(string folder, string pattern, DateTime cutoff)
    {
        var removed = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (var file in Directory.EnumerateFiles(folder, pattern, options))
        {
            removed += TryDelete(file, cutoff) ? 1 : 0;
        }

        if (pattern == "*")
        {
            // Folders left empty (yt-dlp download folders), deepest first.
            foreach (var dir in Directory.EnumerateDirectories(folder, "*", options).OrderByDescending(d => d.Length))
            {
                try
                {
                    if (Directory.GetLastWriteTimeUtc(dir) < cutoff && !Directory.EnumerateFileSystemEntries(dir).Any())
                    {
                        Directory.Delete(dir);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }

        return removed;
    }

    private static bool TryDelete(string file, DateTime cutoff)
    {
        try
        {
            // A link's own time, never its target's: nothing outside the folder is touched.
            var info = new FileInfo(file);
            if (info.LastWriteTimeUtc >= cutoff)
            {
                return false;
            }

            info.Delete();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [LoggerMessage(120, LogLevel.Information, "Removed {Count} stale temporary files (older than {MaxAge})")]
    private partial void LogSwept(int count, TimeSpan maxAge);
}
