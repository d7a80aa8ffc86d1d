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
using VmNet.Commands;
using VmNet.Embedder;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using VmNet.Storage;

namespace VmNet.Cli;

/// <summary>
/// <c>vmnet models list</c> and <c>vmnet models activate VERSION</c>. With the in-memory bus (one machine) activate
/// works on the local data dir directly (stop a running <c>vmnet serve</c> on that dir first: it reads the live
/// generation at start); with RabbitMQ it publishes <see cref="ModelActivationRequested"/> for the embedder workers.
/// </summary>
public static class ModelsCommand
{
    public sealed record ModelRow(string Version, DateTimeOffset CreatedAt, bool Live, bool HasFolder, long MusicVectors, long VideoVectors, int? EmbeddingDim, double? ValidationRecallAt10);

    public static Command Create()
    {
        var list = new Command("list", "List the model versions kept (VectorStore:RetainGenerations): folders under data/models and vector generations, the live one marked.") { };
        list.SetAction(async (parse, ct) => await ListAsync(CommandContext.From(parse), ct));

        var version = new Argument<string>("version") { Description = "Model version to make live (roll back or forward)" };
        var activate = new Command("activate", "Make an existing model version live: re-embeds the catalogue into its generation, then flips.") { version };
        activate.SetAction(async (parse, ct) => await ActivateAsync(CommandContext.From(parse), parse.GetValue(version)!, ct));

        return new Command("models", "Inspect model versions and choose the live one.") { list, activate };
    }

    // The embedder's services (store, catalogue, models) in this process, without its consumers.
    private static WebApplication BuildHost(CommandContext context) => context.BuildClient(b => b.AddEmbedderServices());

    private static async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var json = context.Json;
        await using var host = BuildHost(context);
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
            CliJson.Print(rows);
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

        Console.WriteLine(GenerationRetention.Describe(host.Services.GetRequiredService<IOptions<VectorStoreOptions>>().Value.RetainGenerations));
        return 0;
    }

    private static async Task<int> ActivateAsync(CommandContext context, string version, CancellationToken cancellationToken)
    {
        var json = context.Json;
        if (context.OnRabbitMq)
        {
            await using var client = context.BuildClient();
            await client.StartAsync(cancellationToken);
            var request = new ModelActivationRequested(version, Guid.NewGuid(), $"{Environment.UserName}@{Environment.MachineName}", DateTimeOffset.UtcNow);
            await client.Services.GetRequiredService<IBus>().Publish(request, cancellationToken);
            await client.StopAsync(cancellationToken);
            Print(json, new { version, status = "requested", request.CorrelationId },
                $"Requested activation of {version} (correlation {request.CorrelationId}); the embedder answers with ModelActivated or ModelActivationFailed.");
            return 0;
        }

        await using var host = BuildHost(context);
        var outcome = await host.Services.GetRequiredService<CatalogueEmbedder>().ActivateExistingAsync(version, cancellationToken);
        Print(json, outcome, outcome.Activated
            ? $"{version} is live (was {outcome.PreviousVersion ?? "none"}); {outcome.ItemsEmbedded} items embedded"
            : $"{version} was not activated: {outcome.Reason}; {outcome.PreviousVersion ?? "nothing"} stays live");
        return outcome.Activated ? 0 : 1;
    }

    private static void Print(bool json, object value, string text)
    {
        if (json)
        {
            CliJson.Print(value);
        }
        else
        {
            Console.WriteLine(text);
        }
    }
}
