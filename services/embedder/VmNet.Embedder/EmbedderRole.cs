using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VmNet.Onnx;
using VmNet.ServiceDefaults;
using VmNet.Storage;

namespace VmNet.Embedder;

/// <summary>Registers the embedder role.</summary>
public static class EmbedderRole
{
    /// <summary>The role's name: its queue prefix, its <c>Bus:Concurrency</c> key, its <c>--role</c> value.</summary>
    public const string Name = "embedder";

    /// <summary>How a host adds this role.</summary>
    public static RoleDescriptor Descriptor { get; } = new(
        Name,
        "raw features to the catalogue, vectors per model generation, re-embedding and activation",
        b => b.AddEmbedder());

    public static IHostApplicationBuilder AddEmbedder(this IHostApplicationBuilder builder)
    {
        builder.AddEmbedderServices();
        builder.Services.AddRoleConsumers(Name, bus =>
        {
            bus.AddConsumer<FeaturesExtractedConsumer>(typeof(FeaturesExtractedConsumerDefinition));
            bus.AddConsumer<FeatureExtractionFailedConsumer>(typeof(FeatureExtractionFailedConsumerDefinition));
            bus.AddConsumer<ModelConsumer>(typeof(ModelConsumerDefinition));
        });
        builder.AddEmbedderTakedown();
        return builder;
    }

    /// <summary>
    /// The embedder's part of a takedown: the <c>MediaRemovalRequested</c> consumer and the resumer of interrupted
    /// removals (the role, and <c>vmnet catalogue remove</c> on the in-memory bus).
    /// </summary>
    public static IHostApplicationBuilder AddEmbedderTakedown(this IHostApplicationBuilder builder)
    {
        builder.AddEmbedderServices();
        builder.Services.TryAddSingleton<MediaRemover>();
        builder.Services.AddHostedService<RemovalResumer>();
        builder.Services.AddRoleConsumers(Name, bus => bus.AddConsumer<MediaRemovalRequestedConsumer>(typeof(MediaRemovalRequestedConsumerDefinition)));
        return builder;
    }

    /// <summary>The store, the catalogue, the model loader and <see cref="CatalogueEmbedder"/>, without consumers (CLI, tests, other roles).</summary>
    public static IHostApplicationBuilder AddEmbedderServices(this IHostApplicationBuilder builder)
    {
        builder.AddVmNetStore();
        builder.Services.AddOnnxEmbeddingModels();
        builder.Services.TryAddSingleton<GenerationPruner>();
        builder.Services.TryAddSingleton<CatalogueEmbedder>();
        return builder;
    }

}
