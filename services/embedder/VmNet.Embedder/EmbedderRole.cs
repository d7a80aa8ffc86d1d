using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VmNet.OnnxEmbedding;
using VmNet.ServiceDefaults;
using VmNet.VectorStore;

namespace VmNet.Embedder;

/// <summary>Registers the embedder role.</summary>
public static class EmbedderRole
{
    public static IHostApplicationBuilder AddEmbedder(this IHostApplicationBuilder builder)
    {
        builder.AddEmbedderServices();
        builder.Services.AddRoleConsumers(Role.Embedder, bus =>
        {
            bus.AddConsumer<FeaturesConsumer>(typeof(FeaturesConsumerDefinition));
            bus.AddConsumer<ModelConsumer>(typeof(ModelConsumerDefinition));
        });
        return builder;
    }

    /// <summary>The store, the catalogue, the model loader and <see cref="CatalogueEmbedder"/>, without consumers (CLI, tests, other roles).</summary>
    public static IHostApplicationBuilder AddEmbedderServices(this IHostApplicationBuilder builder)
    {
        builder.AddVmNetStore();
        builder.Services.TryAddSingleton<EmbeddingModelFactory>(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OnnxEmbeddingModel).FullName!);
            return folder => OnnxEmbeddingModel.Load(folder, logger);
        });
        builder.Services.TryAddSingleton<CatalogueEmbedder>();
        return builder;
    }

    /// <summary>The role's commands for <c>vmnet</c>: <c>models list|activate</c> and <c>bench store</c>.</summary>
    public static CliContribution Cli() => new(TopLevel: [ModelsCommand.Create()], Bench: [StoreBenchCommand.Create()]);
}
