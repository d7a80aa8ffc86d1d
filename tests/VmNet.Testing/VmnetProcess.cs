using System.Collections.Concurrent;
using System.Diagnostics;

namespace VmNet.Testing;

/// <summary>
/// A real <c>vmnet</c> process (the built host, <c>dotnet vmnet.dll ...</c>), its output kept for assertions
/// and failure messages. Disposing kills it.
/// </summary>
public sealed class VmnetProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private VmnetProcess(Process process, IReadOnlyDictionary<string, string> environment)
    {
        _process = process;
        Environment = environment;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <summary>The variables this process was started with on top of the test's own.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public bool HasExited => _process.HasExited;

    public string Output => string.Join('\n', _output);

    /// <summary>vmnet.dll next to the test binaries (test projects reference the host project).</summary>
    public static string HostDll
    {
        get
        {
            var local = Path.Combine(AppContext.BaseDirectory, "vmnet.dll");
            if (File.Exists(local))
            {
                return local;
            }

            throw new FileNotFoundException("vmnet.dll is not beside the tests: reference host/VmNet.Cli from the test project", local);
        }
    }

    public static VmnetProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(HostDll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        environment ??= new Dictionary<string, string>();
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return new VmnetProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start vmnet"), environment);
    }

    /// <summary>Runs vmnet to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        using var process = Start(arguments, environment, workingDirectory);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process._process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"vmnet {string.Join(' ', arguments)} did not finish in {timeout}: {process.Output}");
        }

        process._process.WaitForExit();
        return (process._process.ExitCode, process.Output);
    }

    public Task WaitForOutputAsync(string text, TimeSpan timeout) => WaitForAsync(() => Output.Contains(text, StringComparison.Ordinal), timeout, text);

    public async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"vmnet exited ({_process.ExitCode}) before '{what}': {Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no '{what}' within {timeout}: {Output}");
            }

            await Task.Delay(100);
        }
    }

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
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 5000 && _output.TryDequeue(out _))
        {
        }
    }
}
