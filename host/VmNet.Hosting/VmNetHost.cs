using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VmNet.ServiceDefaults;
using VmNet.Storage;

namespace VmNet.Hosting;

/// <summary>
/// The one way to build a process: any set of roles (or none, a bus client), one configuration (appsettings.json
/// beside the binary, then the environment, then the caller's overrides, then secrets read from <c>...File</c>
/// settings, see <see cref="SecretFiles"/>), logs on stderr, one bus.
/// </summary>
public static class VmNetHost
{
    /// <summary>The configuration every command and host reads: appsettings.json, environment, then <paramref name="overrides"/>.</summary>
    public static IConfigurationRoot Configuration(IReadOnlyDictionary<string, string?>? overrides = null) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
            .AddSecretFiles()
            .Build();

    /// <summary>A process with the bus and no role: a client that publishes and observes.</summary>
    public static WebApplication BuildClient(
        IReadOnlyDictionary<string, string?>? overrides = null, Action<WebApplicationBuilder>? configure = null) =>
        Build([], overrides, configure, client: true);

    /// <summary>
    /// Builds the application for <paramref name="roles"/> (all when empty, unless <paramref name="client"/>: then
    /// none). <paramref name="overrides"/> win over appsettings and environment; <paramref name="configure"/> runs
    /// before the bus is added, so callers can add services and consumers of their own (observers, tests).
    /// </summary>
    public static WebApplication Build(
        IReadOnlyCollection<string> roles,
        IReadOnlyDictionary<string, string?>? overrides = null,
        Action<WebApplicationBuilder>? configure = null,
        bool client = false)
    {
        var selected = client ? [] : Roles.Select(roles.Count == 0 ? Roles.Names : roles);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Several roles may share a machine: without an explicit address, take any free loopback port.
            ["urls"] = builder.Configuration["urls"] ?? "http://127.0.0.1:0",
            ["Roles"] = string.Join(',', selected.Select(r => r.Name)),
        });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.Configuration.AddSecretFiles();

        // stdout carries a command's result only: every log line goes to stderr.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddServiceDefaults(selected.Count == 0 ? "vmnet-client" : "vmnet-" + string.Join('+', selected.Select(r => r.Name)));
        foreach (var role in selected)
        {
            role.AddServices(builder);
        }

        configure?.Invoke(builder);
        if (!client)
        {
            builder.AddVmNetDeliveryLedger();
        }

        builder.AddVmNetBus();
        if (client)
        {
            // A command waits for the broker a bounded time, then says it cannot reach it; roles keep retrying.
            builder.Services.Configure<MassTransit.MassTransitHostOptions>(o => o.StartTimeout ??= TimeSpan.FromSeconds(30));
        }

        var app = builder.Build();
        app.MapDefaultEndpoints();
        foreach (var role in selected)
        {
            role.MapEndpoints?.Invoke(app);
        }

        return app;
    }
}
