using System.Collections.Concurrent;
using System.Diagnostics;

namespace VmNet.Media;

/// <summary>
/// A long-running child process started with an argument list (never a shell string): its stdout and stderr lines
/// kept (the last <c>keepLines</c>) and, when asked, appended to a log file. Disposing kills it and everything it
/// started. Benchmarks and tests use it for <c>vmnet serve</c> workers; <see cref="ProcessRunner"/> is for programs
/// run to their end.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StreamWriter? _log;
    private readonly Lock _logGate = new();
    private readonly int _keepLines;
    private bool _logClosed;

    private ChildProcess(Process process, StreamWriter? log, int keepLines)
    {
        _process = process;
        _log = log;
        _keepLines = keepLines;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The kept lines of stdout and stderr, in arrival order.</summary>
    public string Output => string.Join('\n', _lines);

    public static ChildProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null,
        string? logPath = null,
        int keepLines = 5000)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        StreamWriter? log = null;
        if (logPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
            log = new StreamWriter(logPath) { AutoFlush = true };
        }

        try
        {
            var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");

            // Its stdin is empty and closed: a child must not read (and take) what was meant for this process.
            process.StandardInput.Close();
            return new ChildProcess(process, log, keepLines);
        }
        catch
        {
            log?.Dispose();
            throw;
        }
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>After an exit: waits until the last lines of output have been read.</summary>
    public void WaitForOutputEnd() => _process.WaitForExit();

    /// <summary>Until <paramref name="condition"/> holds; fails early, with the output, when the process exits first.</summary>
    public async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the process exited ({_process.ExitCode}) before {what}: {Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no {what} within {timeout}: {Output}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Kills the process and everything it started, and waits (up to 10 s) for it to go.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        lock (_logGate)
        {
            _logClosed = true;
            _log?.Dispose();
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > _keepLines && _lines.TryDequeue(out _))
        {
        }

        lock (_logGate)
        {
            if (!_logClosed)
            {
                _log?.WriteLine(line);
            }
        }
    }
}
