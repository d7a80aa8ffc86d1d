using System.CommandLine;
using System.Net.Sockets;
using Grpc.Core;
using VmNet.Commands;

namespace VmNet.Cli;

/// <summary>
/// Runs the command tree so that a user's mistake is one line on stderr, <c>vmnet: what went wrong</c>, and an exit
/// code: 2 for usage (unknown option, bad value), 1 for a failure (missing file, unreachable server, refused request),
/// 130 when interrupted. A stack trace is printed only with <c>VMNET_DEBUG=1</c>.
/// </summary>
public static class CommandRunner
{
    public const int Usage = 2;
    public const int Failure = 1;

    /// <summary>Runs <paramref name="args"/>; <paramref name="output"/> and <paramref name="error"/> replace the console's streams for commands that write through the invocation (tests).</summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        error ??= Console.Error;
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            await error.WriteLineAsync($"vmnet: {OneLine(string.Join("; ", parse.Errors.Select(e => e.Message)))} (see 'vmnet {CommandPath(parse)}--help')");
            return Usage;
        }

        try
        {
            var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, Error = error };
            if (output is not null)
            {
                invocation.Output = output;
            }

            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (Exception e) when (Unwrap(e) is OperationCanceledException)
        {
            await error.WriteLineAsync("vmnet: interrupted");
            return 130;
        }
        catch (Exception e)
        {
            var cause = Unwrap(e);
            await error.WriteLineAsync($"vmnet: {Describe(cause)}");
            if (Environment.GetEnvironmentVariable("VMNET_DEBUG") == "1")
            {
                await error.WriteLineAsync(e.ToString());
            }

            return cause is ArgumentException or UsageException ? Usage : Failure;
        }
    }

    /// <summary>The message a person can act on, without the exception's type or trace.</summary>
    public static string Describe(Exception e) => e switch
    {
        RpcException { StatusCode: StatusCode.Unavailable } r => $"the search server is unreachable ({r.Status.Detail})",
        RpcException r => $"the server refused the request: {r.Status.StatusCode}: {r.Status.Detail}",
        SocketException s => $"cannot connect: {s.Message}",
        HttpRequestException h => $"cannot connect: {h.Message}",
        _ => FirstLine(e.Message),
    };

    private static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && e.InnerException is not null)
        {
            e = e.InnerException!;
        }

        return e;
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].TrimEnd();

    // System.CommandLine lists allowed values on lines of their own.
    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (c.Command is not RootCommand)
            {
                names.Insert(0, c.Command.Name);
            }
        }

        return names.Count == 0 ? string.Empty : string.Join(' ', names) + " ";
    }
}
