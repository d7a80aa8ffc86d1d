using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using VmNet.Commands;

namespace VmNet.Bench;

/// <summary>
/// One <c>vmnet serve --role ...</c> child process of this same binary, its output written to a log file.
/// Disposing kills it (and anything it started).
/// </summary>
public sealed class RoleProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _gate = new();

    private RoleProcess(string name, Process process, StreamWriter log, string logPath, string healthUrl)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
        HealthUrl = healthUrl;
        _process.OutputDataReceived += (_, e) => Write(e.Data);
        _process.ErrorDataReceived += (_, e) => Write(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
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
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in prefix.Concat(["serve", "--urls", $"http://127.0.0.1:{port}"]).Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        return new RoleProcess(name, process, log, logPath, $"http://127.0.0.1:{port}/health/ready");
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

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        lock (_gate)
        {
            _log.Dispose();
        }
    }

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

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_log.BaseStream.CanWrite)
            {
                _log.WriteLine(line);
            }
        }
    }
}
