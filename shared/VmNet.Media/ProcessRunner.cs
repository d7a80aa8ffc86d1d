using System.Diagnostics;
using System.Text;

namespace VmNet.Media;

/// <summary>Runs a program with an argument list (never a shell string), with a timeout and captured output.</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, string StandardError, byte[] StandardOutput);

    /// <summary>
    /// Runs <paramref name="fileName"/> to its end. <paramref name="writeInput"/>, when given, feeds its standard input
    /// (closed afterwards); a program that stops reading early ends the feeding, not the run: its exit code and
    /// stderr say why.
    /// </summary>
    public static async Task<Result> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken, bool captureStdout = false,
        Func<Stream, CancellationToken, Task>? writeInput = null, long maxStdoutBytes = long.MaxValue, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory ?? string.Empty,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            // Never the caller's stdin: a child that reads it would steal what the caller's own parent sends there.
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Set, or removed where the value is null; the rest of this process's environment is inherited.
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new FileNotFoundException($"{fileName} is not installed or not on PATH ({e.Message})", fileName, e);
        }

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        var stderr = ReadTailAsync(process.StandardError, 64 * 1024);
        var stdout = new MemoryStream();
        var stdoutTask = captureStdout
            ? CopyBoundedAsync(process.StandardOutput.BaseStream, stdout, maxStdoutBytes, timeoutCts.Token)
            : process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, timeoutCts.Token);
        try
        {
            if (writeInput is null)
            {
                process.StandardInput.Close();
            }
            else
            {
                try
                {
                    await writeInput(process.StandardInput.BaseStream, timeoutCts.Token);
                    process.StandardInput.Close();
                }
                catch (IOException) when (!timeoutCts.IsCancellationRequested)
                {
                    // The program stopped reading: it failed, and says why on stderr.
                }
            }

            // Output first: a capture over its limit must stop the program at once, not after it blocks on a full pipe.
            await stdoutTask;
            await process.WaitForExitAsync(timeoutCts.Token);
        }
        catch (ProcessOutputTooLargeException)
        {
            // Captured output is memory: a program that writes more than the caller can hold is stopped, not buffered.
            process.Kill(entireProcessTree: true);
            throw;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException($"{Path.GetFileName(fileName)} did not finish within {timeout.TotalSeconds:0} s");
        }

        return new Result(process.ExitCode, await stderr, stdout.ToArray());
    }

    private static async Task CopyBoundedAsync(Stream source, MemoryStream target, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        int n;
        while ((n = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (target.Length + n > limit)
            {
                throw new ProcessOutputTooLargeException($"output larger than {limit} bytes");
            }

            target.Write(buffer, 0, n);
        }
    }

    /// <summary>Reads a chatty stream to its end, keeping its last <paramref name="maxChars"/> characters: the error is at the end.</summary>
    public static async Task<string> ReadTailAsync(StreamReader reader, int maxChars)
    {
        var text = new StringBuilder();
        var buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            text.Append(buffer, 0, n);
            if (text.Length > 2 * maxChars)
            {
                text.Remove(0, text.Length - maxChars);
            }
        }

        return text.Length > maxChars ? text.ToString(text.Length - maxChars, maxChars) : text.ToString();
    }
}

/// <summary>A program wrote more to its captured standard output than the caller allowed; it was stopped.</summary>
public sealed class ProcessOutputTooLargeException(string message) : Exception(message);
