using System.CommandLine;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.ServiceDefaults;

namespace VmNet.Embedder;

/// <summary>
/// <c>vmnet models list</c> and <c>vmnet models activate VERSION</c>. With the in-memory bus (one machine) activate
/// works on the local data dir directly (stop a running <c>vmnet serve</c> on that dir first: it reads the live
/// generation at start); with RabbitMQ it publishes <see cref="ModelActivationRequested"/> for the embedder workers.
/// </summary>
public static class ModelsCommand
{
    private static readonly JsonSerializerOptions Json = new(ModelManifest.Json) { WriteIndented = false };

    public sealed record ModelRow(string Version, DateTimeOffset CreatedAt, bool Live, bool HasFolder, long MusicVectors, long VideoVectors, int? EmbeddingDim, double? ValidationRecallAt10);

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "List model versions: folders under data/models and vector generations, the live one marked.") { json };
        list.SetAction(async (parse, ct) => await ListAsync(CommonOptions.ToConfiguration(parse), parse.GetValue(json), ct));

        var version = new Argument<string>("version") { Description = "Model version to make live (roll back or forward)" };
        var activate = new Command("activate", "Make an existing model version live: re-embeds the catalogue into its generation, then flips.") { version, json };
        activate.SetAction(async (parse, ct) => await ActivateAsync(CommonOptions.ToConfiguration(parse), parse.GetValue(version)!, parse.GetValue(json), ct));

        return new Command("models", "Inspect model versions and choose the live one.") { list, activate };
    }

    private static IHost BuildHost(Dictionary<string, string?> config, bool withBus)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(config);
        // Progress goes to stderr so that stdout carries only the answer (--json stays parseable).
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton(_ => new DataDirectory(ServiceDefaultsExtensions.DataDirectoryPath(builder.Configuration)));
        builder.AddEmbedderServices();
        if (withBus)
        {
            builder.AddVmNetBus();
        }

        return builder.Build();
    }

    private static async Task<int> ListAsync(Dictionary<string, string?> config, bool json, CancellationToken cancellationToken)
    {
        using var host = BuildHost(config, withBus: false);
        var registry = host.Services.GetRequiredService<ModelRegistry>();
        var store = host.Services.GetRequiredService<IVectorStore>();
        var generations = (await store.ListGenerationsAsync(cancellationToken)).ToDictionary(g => g.Generation);
        var manifests = registry.List().ToDictionary(m => m.Version);
        var rows = manifests.Keys.Union(generations.Keys)
            .Select(v =>
            {
                manifests.TryGetValue(v, out var m);
                generations.TryGetValue(v, out var g);
                return new ModelRow(v, m?.CreatedAt ?? g!.CreatedAt, g?.IsLive ?? false, m is not null, g?.MusicCount ?? 0, g?.VideoCount ?? 0,
                    m?.EmbeddingDim ?? g?.Dimension, m?.Metrics.TryGetValue("val.R@10", out var r) == true ? r : null);
            })
            .OrderBy(r => r.CreatedAt)
            .ToList();
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(rows, Json));
            return 0;
        }

        Console.WriteLine($"{"",-2}{"VERSION",-28}{"CREATED",-22}{"DIM",6}{"MUSIC",9}{"VIDEO",9}{"val.R@10",10}  FOLDER");
        foreach (var r in rows)
        {
            Console.WriteLine($"{(r.Live ? "*" : ""),-2}{r.Version,-28}{r.CreatedAt:yyyy-MM-dd HH:mm:ss}  {r.EmbeddingDim,6}{r.MusicVectors,9}{r.VideoVectors,9}{(r.ValidationRecallAt10 is { } v ? v.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "-"),10}  {(r.HasFolder ? "yes" : "missing")}");
        }

        if (rows.Count == 0)
        {
            Console.WriteLine("(no models yet)");
        }

        return 0;
    }

    private static async Task<int> ActivateAsync(Dictionary<string, string?> config, string version, bool json, CancellationToken cancellationToken)
    {
        var rabbit = string.Equals(config.GetValueOrDefault("Bus:Transport") ?? Environment.GetEnvironmentVariable("Bus__Transport"),
            nameof(BusTransport.RabbitMq), StringComparison.OrdinalIgnoreCase);
        if (rabbit)
        {
            using var client = BuildHost(config, withBus: true);
            await client.StartAsync(cancellationToken);
            var request = new ModelActivationRequested(version, Guid.NewGuid(), $"{Environment.UserName}@{Environment.MachineName}", DateTimeOffset.UtcNow);
            await client.Services.GetRequiredService<IBus>().Publish(request, cancellationToken);
            await client.StopAsync(cancellationToken);
            Print(json, new { version, status = "requested", request.CorrelationId },
                $"Requested activation of {version} (correlation {request.CorrelationId}); the embedder answers with ModelActivated or ModelActivationFailed.");
            return 0;
        }

        using var host = BuildHost(config, withBus: false);
        var outcome = await host.Services.GetRequiredService<CatalogueEmbedder>().ActivateExistingAsync(version, cancellationToken);
        Print(json, outcome, outcome.Activated
            ? $"{version} is live (was {outcome.PreviousVersion ?? "none"}); {outcome.ItemsEmbedded} items embedded"
            : $"{version} was not activated: {outcome.Reason}; {outcome.PreviousVersion ?? "nothing"} stays live");
        return outcome.Activated ? 0 : 1;
    }

    private static void Print(bool json, object value, string text) =>
        Console.WriteLine(json ? JsonSerializer.Serialize(value, Json) : text);
}
