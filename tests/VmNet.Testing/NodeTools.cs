using System.Diagnostics;
using Xunit;

namespace VmNet.Testing;

/// <summary>npm and node, run in a folder with a committed package-lock.json (CI installs with <c>npm ci</c>).</summary>
public static class NodeTools
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>
    /// Installs the folder's locked packages unless an install of that very lock file is already there. Without their
    /// install scripts: nothing from the registry runs at install time, and the tools work without them.
    /// </summary>
    public static async Task NpmCiAsync(string folder)
    {
        await Gate.WaitAsync();
        try
        {
            var installed = Path.Combine(folder, "node_modules", ".package-lock.json");
            if (File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(Path.Combine(folder, "package-lock.json")))
            {
                return;
            }

            var (code, text) = await RunAsync(folder, "npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(8));
            Assert.True(code == 0, $"npm ci in {folder} failed ({code}):\n{text}");
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string folder, string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        // stdin too: xunit v3 talks to this test process over its stdin, which a child would otherwise inherit and read.
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in {timeout}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
