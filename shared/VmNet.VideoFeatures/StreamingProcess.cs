using System.Diagnostics;
using VmNet.Media;

namespace VmNet.VideoFeatures;

/// <summary>
/// A program started with an argument list (never a shell string) whose standard output is read as it comes,
/// for outputs too large to buffer (raw video frames). Disposing kills it if it still runs.
/// </summary>
public sealed class StreamingProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private StreamingProcess(Process process)
    {
        _process = process;
        _stderr = ProcessRunner.ReadTailAsync(process.StandardError, 16 * 1024);
    }

    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    public static StreamingProcess Start(string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            // Never the caller's stdin: a child that reads it would take what the caller's own parent sends there.
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new FileNotFoundException($"{fileName} is not installed or not on PATH ({e.Message})", fileName, e);
        }

        process.StandardInput.Close();
        return new StreamingProcess(process);
    }

    /// <summary>Waits for the exit (after stdout was read to its end) and returns the code and the tail of stderr.</summary>
    public async Task<(int ExitCode, string StandardError)> WaitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return (_process.ExitCode, await _stderr);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        try
        {
            await _stderr;
        }
        catch (IOException)
        {
        }

        _process.Dispose();
    }
}
