using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using VmNet.AudioFeatures.Service;
using VmNet.Embedder;
using VmNet.Ingest;
using VmNet.Search;
using VmNet.ServiceDefaults;
using VmNet.Trainer;
using VmNet.VideoFeatures.Service;

namespace VmNet.Hosting;

/// <summary>One process, any set of roles, one bus.</summary>
public static class VmNetHost
{
    private static readonly Dictionary<string, Action<IHostApplicationBuilder>> Roles = new(StringComparer.OrdinalIgnoreCase)
    {
        [Role.Ingest] = b => b.AddIngest(),
        [Role.AudioFeatures] = b => b.AddAudioFeatures(),
        [Role.VideoFeatures] = b => b.AddVideoFeatures(),
        [Role.Embedder] = b => b.AddEmbedder(),
        [Role.Search] = b => b.AddSearch(),
        [Role.Trainer] = b => b.AddTrainer(),
    };

    /// <summary>
    /// Builds the application for <paramref name="roles"/> (all when empty). <paramref name="overrides"/> win over
    /// appsettings and environment; <paramref name="configure"/> runs before the bus is added, so callers can add
    /// services and consumers of their own (observers, tests).
    /// </summary>
    public static WebApplication Build(
        IReadOnlyCollection<string> roles,
        IReadOnlyDictionary<string, string?>? overrides = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var selected = roles.Count == 0 ? Role.All : roles.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return BuildWith(selected, overrides, configure);
    }

    /// <summary>A process with the bus and no role: a client that publishes and observes.</summary>
    public static WebApplication BuildClient(
        IReadOnlyDictionary<string, string?>? overrides = null, Action<WebApplicationBuilder>? configure = null) =>
        BuildWith([], overrides, configure);

    private static WebApplication BuildWith(
        IReadOnlyList<string> selected,
        IReadOnlyDictionary<string, string?>? overrides,
        Action<WebApplicationBuilder>? configure)
    {
        var unknown = selected.Where(r => !Roles.ContainsKey(r)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown role(s): {string.Join(", ", unknown)}; roles are {string.Join(", ", Role.All)}");
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Several roles may share a machine: without an explicit address, take any free loopback port.
            ["urls"] = builder.Configuration["urls"] ?? "http://127.0.0.1:0",
            ["Roles"] = string.Join(',', selected),
        });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.AddServiceDefaults(selected.Count == 0 ? "vmnet-client" : "vmnet-" + string.Join('+', selected));
        foreach (var role in selected)
        {
            Roles[role](builder);
        }

        configure?.Invoke(builder);
        builder.AddVmNetBus();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        if (selected.Contains(Role.Search, StringComparer.OrdinalIgnoreCase))
        {
            app.MapSearchApi();
        }

        return app;
    }
}
