using System.CommandLine;
using VmNet.Hosting;
using VmNet.ServiceDefaults;
using VmNet.Commands;

namespace VmNet.Cli;

/// <summary><c>vmnet serve [--role R]...</c>: run roles until stopped.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var roles = new Option<string[]>("--role")
        {
            Description = $"Role to run (repeatable): {string.Join(", ", Roles.Names)}. Default: all of them.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        roles.AcceptOnlyFromAmong([.. Roles.Names]);
        var urls = new Option<string?>("--urls") { Description = "HTTP listen addresses for health endpoints (default: a free loopback port)" };
        var command = new Command("serve", "Run service roles (all by default) on the configured bus until Ctrl+C.") { roles, urls };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = CommandContext.From(parse, quiet: false);
            if (parse.GetValue(urls) is { } u)
            {
                context.Overrides["urls"] = u;
            }

            await using var app = context.BuildHost(parse.GetValue(roles) ?? []);
            await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(app, cancellationToken);
            return 0;
        });
        return command;
    }
}
