using VmNet.Media;

namespace VmNet.Testing;

/// <summary>
/// A real <c>vmnet</c> process (the built host, <c>dotnet vmnet.dll ...</c>), its output kept for assertions
/// and failure messages. Disposing kills it.
/// </summary>
public sealed class VmnetProcess : IDisposable
{
    private readonly ChildProcess _process;

    private VmnetProcess(ChildProcess process, IReadOnlyDictionary<string, string> environment)
    {
        _process = process;
        Environment = environment;
    }

    public int Id => _process.Id;

    /// <summary>The variables this process was started with on top of the test's own.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public bool HasExited => _process.HasExited;

    public string Output => _process.Output;

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
        environment ??= new Dictionary<string, string>();
        var variables = new Dictionary<string, string>(environment) { ["DOTNET_ENVIRONMENT"] = "Production" };
        foreach (var (key, value) in environment)
        {
            variables[key] = value;
        }

        var process = ChildProcess.Start("dotnet", [HostDll, .. arguments], variables, workingDirectory ?? AppContext.BaseDirectory);
        return new VmnetProcess(process, environment);
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

        process._process.WaitForOutputEnd();
        return (process._process.ExitCode, process.Output);
    }

    public Task WaitForOutputAsync(string text, TimeSpan timeout) => WaitForAsync(() => Output.Contains(text, StringComparison.Ordinal), timeout, text);

    public Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what) => _process.WaitForAsync(condition, timeout, $"'{what}'");

    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();
}
