using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Media;
using VmNet.ServiceDefaults;

namespace VmNet.Storage;

public static class VectorStoreRegistration
{
    /// <summary>
    /// The catalogue (<see cref="AddVmNetCatalogue"/>) and the vector store chosen by <c>VectorStore:Kind</c>, once per
    /// process whichever roles ask for them. Needs a <see cref="DataDirectory"/> (AddServiceDefaults registers it).
    /// </summary>
    public static IHostApplicationBuilder AddVmNetStore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddVmNetCatalogue();
        services.Configure<VectorStoreOptions>(builder.Configuration.GetSection(VectorStoreOptions.Section));
        services.TryAddSingleton(sp => new ModelRegistry(sp.GetRequiredService<DataDirectory>()));
        services.TryAddSingleton<IVectorStore>(sp => sp.GetRequiredService<IOptions<VectorStoreOptions>>().Value.Kind == VectorStoreKind.Qdrant
            ? ActivatorUtilities.CreateInstance<QdrantVectorStore>(sp)
            : ActivatorUtilities.CreateInstance<EmbeddedVectorStore>(sp, sp.GetRequiredService<DataDirectory>()));
        return builder;
    }

    /// <summary>
    /// The catalogue chosen by <c>Catalogue:Kind</c>: SQLite under the data dir (default) or PostgreSQL, with the one
    /// <see cref="PostgresDatabase"/> of this process that other PostgreSQL stores (the search role's ledger) share.
    /// </summary>
    public static IHostApplicationBuilder AddVmNetCatalogue(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<CatalogueOptions>(builder.Configuration.GetSection(CatalogueOptions.Section));
        services.TryAddSingleton(sp => PostgresDatabase.Create(sp.GetRequiredService<IOptions<CatalogueOptions>>().Value.Postgres));
        services.TryAddSingleton<IFeatureCatalogue>(sp => sp.GetRequiredService<IOptions<CatalogueOptions>>().Value.Kind == CatalogueKind.Postgres
            ? new PostgresFeatureCatalogue(sp.GetRequiredService<PostgresDatabase>())
            : new SqliteFeatureCatalogue(sp.GetRequiredService<DataDirectory>()));
        // The tombstones live in the catalogue's store (its writes check them in the same statement): the same instance.
        services.TryAddSingleton<IRemovalLedger>(sp => sp.GetRequiredService<IFeatureCatalogue>() as IRemovalLedger
            ?? throw new InvalidOperationException($"{sp.GetRequiredService<IFeatureCatalogue>().GetType().Name} keeps no tombstones"));
        return builder;
    }

    /// <summary>
    /// The delivery ledger when <c>Bus:DeliveryLedger=true</c> (nothing otherwise). It lives beside the catalogue in
    /// PostgreSQL, the one store every process of the distributed layout reaches.
    /// </summary>
    public static IHostApplicationBuilder AddVmNetDeliveryLedger(this IHostApplicationBuilder builder)
    {
        if (!BusOptions.From(builder.Configuration).DeliveryLedger)
        {
            return builder;
        }

        var catalogue = builder.Configuration.GetSection(CatalogueOptions.Section).Get<CatalogueOptions>() ?? new CatalogueOptions();
        if (catalogue.Kind != CatalogueKind.Postgres)
        {
            throw new InvalidOperationException("Bus:DeliveryLedger needs Catalogue:Kind=Postgres: the ledger is shared by every process");
        }

        builder.AddVmNetCatalogue();
        builder.Services.TryAddSingleton<IDeliveryLedger>(sp => new PostgresDeliveryLedger(sp.GetRequiredService<PostgresDatabase>()));
        return builder;
    }

    /// <summary>The catalogue <c>Catalogue:Kind</c> names, outside a host (commands that read it once).</summary>
    public static IFeatureCatalogue OpenCatalogue(IConfiguration configuration, DataDirectory data)
    {
        var options = configuration.GetSection(CatalogueOptions.Section).Get<CatalogueOptions>() ?? new CatalogueOptions();
        return options.Kind == CatalogueKind.Postgres
            ? new PostgresFeatureCatalogue(PostgresDatabase.Create(options.Postgres))
            : new SqliteFeatureCatalogue(data);
    }
}
