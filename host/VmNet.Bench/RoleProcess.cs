using System.Net;
using System.Net.Sockets;
using System.Reflection;
using VmNet.Media;

namespace VmNet.Bench;

/// <summary>
/// One <c>vmnet serve --role ...</c> child process of this same binary, its output written to a log file.
/// Disposing kills it (and anything it started).
/// </summary>
public sealed class RoleProcess : IDisposable
{
    private readonly ChildProcess _process;

    private RoleProcess(string name, ChildProcess process, string logPath, string healthUrl)
    {
        Name = name;
        _process = process;
        LogPath = logPath;
        HealthUrl = healthUrl;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public string LogPath { get; }

    public string HealthUrl { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>vmnet serve</c> with <paramref name="arguments"/> after it, on a free loopback HTTP port.</summary>
    public static RoleProcess Start(string name, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var port = FreePort();
        var (fileName, prefix) = Self();
        var process = ChildProcess.Start(
            fileName, prefix.Concat(["serve", "--urls", $"http://127.0.0.1:{port}"]).Concat(arguments), environment, logPath: logPath, keepLines: 200);
        return new RoleProcess(name, process, logPath, $"http://127.0.0.1:{port}/health/ready");
    }

    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before it was ready; log: {LogPath}");
            }

            try
            {
                using var response = await http.GetAsync(HealthUrl, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow start on a busy machine.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} not ready within {timeout}; log: {LogPath}");
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    public void Dispose() => _process.Dispose();

    /// <summary>This binary: the apphost itself, or <c>dotnet vmnet.dll</c>.</summary>
    private static (string FileName, string[] Prefix) Self()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown");
        var entry = Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" && !string.IsNullOrEmpty(entry) ? (host, [entry]) : (host, []);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
