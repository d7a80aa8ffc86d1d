using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Media;

namespace VmNet.Storage;

public static class VectorStoreRegistration
{
    /// <summary>
    /// The catalogue (SQLite) and the vector store chosen by <c>VectorStore:Kind</c>, once per process whichever roles
    /// ask for them. Needs a <see cref="DataDirectory"/> (AddServiceDefaults registers it).
    /// </summary>
    public static IHostApplicationBuilder AddVmNetStore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<VectorStoreOptions>(builder.Configuration.GetSection(VectorStoreOptions.Section));
        services.TryAddSingleton<SqliteFeatureCatalogue>();
        services.TryAddSingleton<IFeatureCatalogue>(sp => sp.GetRequiredService<SqliteFeatureCatalogue>());
        services.TryAddSingleton(sp => new ModelRegistry(sp.GetRequiredService<DataDirectory>()));
        services.TryAddSingleton<IVectorStore>(sp => sp.GetRequiredService<IOptions<VectorStoreOptions>>().Value.Kind == VectorStoreKind.Qdrant
            ? ActivatorUtilities.CreateInstance<QdrantVectorStore>(sp)
            : ActivatorUtilities.CreateInstance<EmbeddedVectorStore>(sp, sp.GetRequiredService<DataDirectory>()));
        return builder;
    }
}
