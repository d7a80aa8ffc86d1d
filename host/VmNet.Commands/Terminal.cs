using Spectre.Console;

namespace VmNet.Commands;

/// <summary>The one check for "a person is watching": progress bars then, plain lines on stderr otherwise.</summary>
public static class Terminal
{
    /// <summary>Both streams are a terminal that can redraw (not a pipe, a file or CI's log).</summary>
    public static bool Interactive =>
        !Console.IsOutputRedirected && !Console.IsErrorRedirected && Stderr.Profile.Capabilities.Interactive;

    /// <summary>Spectre on stderr: progress bars and live status never mix with a command's result on stdout.</summary>
    public static IAnsiConsole Stderr { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>A line of progress for a person: stderr, so stdout carries only the result.</summary>
    public static void Progress(string line) => Console.Error.WriteLine(line);
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (System.Progress posts to the pool).</summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>Checks on paths a person typed, before any work starts.</summary>
public static class InputFiles
{
    /// <summary>The full path of an existing file, or a one-line "no such file" failure.</summary>
    public static string Existing(string path)
    {
        var full = Path.GetFullPath(path);
        return File.Exists(full) ? full : throw new FileNotFoundException($"no such file: {path}", full);
    }
}
