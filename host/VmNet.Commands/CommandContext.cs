using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using VmNet.Hosting;
using VmNet.Media;
using VmNet.ServiceDefaults;

namespace VmNet.Commands;

/// <summary>
/// One command's view of its invocation, built once from the parse result: the configuration (appsettings.json
/// beside the binary, then the environment, then the command line), whether the result is JSON, and the one way to
/// build a host (<see cref="VmNetHost"/>) with that configuration.
/// </summary>
public sealed class CommandContext
{
    private CommandContext(ParseResult parse, bool quiet)
    {
        Parse = parse;
        Overrides = CliOptions.ToOverrides(parse);
        if (quiet && Environment.GetEnvironmentVariable("Logging__LogLevel__Default") is null)
        {
            // A command's roles and bus log only what a person must see; its own one-line error says the rest
            // (an unreachable broker is MassTransit warnings with stack traces every few seconds otherwise).
            Overrides["Logging:LogLevel:Default"] = "Warning";
            Overrides["Logging:LogLevel:MassTransit"] = "Error";
            Overrides["Logging:LogLevel:Microsoft.Extensions.Hosting"] = "None";
        }

        Configuration = VmNetHost.Configuration(Overrides);
        Bus = BusOptions.From(Configuration);
    }

    public ParseResult Parse { get; }

    /// <summary>What the command line sets; the host layers these over appsettings and the environment.</summary>
    public Dictionary<string, string?> Overrides { get; }

    public IConfiguration Configuration { get; }

    public BusOptions Bus { get; }

    /// <summary>True when the roles run elsewhere and this process only publishes and observes.</summary>
    public bool OnRabbitMq => Bus.Transport == BusTransport.RabbitMq;

    public bool Json => Parse.GetValue(CliOptions.Json);

    public string DataPath => ServiceDefaultsExtensions.DataDirectoryPath(Configuration);

    public DataDirectory Data => new(DataPath);

    /// <summary>
    /// The context of one command. <paramref name="quiet"/> (every command but <c>serve</c>): logs below warnings
    /// are dropped, unless <c>Logging__LogLevel__Default</c> is set in the environment.
    /// </summary>
    public static CommandContext From(ParseResult parse, bool quiet = true) => new(parse, quiet);

    /// <summary>A configuration section bound to <typeparamref name="T"/> (defaults where absent).</summary>
    public T Section<T>(string name)
        where T : new() => Configuration.GetSection(name).Get<T>() ?? new T();

    /// <summary>A host running <paramref name="roles"/> (all when empty) with this command's configuration.</summary>
    public WebApplication BuildHost(IReadOnlyCollection<string> roles, Action<WebApplicationBuilder>? configure = null) =>
        VmNetHost.Build(roles, Overrides, configure);

    /// <summary>A host with no role: the bus only, to publish and observe.</summary>
    public WebApplication BuildClient(Action<WebApplicationBuilder>? configure = null) =>
        VmNetHost.Build([], Overrides, configure, client: true);
}
