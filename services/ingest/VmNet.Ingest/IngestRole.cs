using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VmNet.ServiceDefaults;
using VmNet.Storage;

namespace VmNet.Ingest;

/// <summary>Registers the ingest role.</summary>
public static class IngestRole
{
    /// <summary>The role's name: its queue prefix, its <c>Bus:Concurrency</c> key, its <c>--role</c> value.</summary>
    public const string Name = "ingest";

    /// <summary>How a host adds this role.</summary>
    public static RoleDescriptor Descriptor { get; } = new(
        Name,
        "fetch (file, URL, yt-dlp), probe and split with FFmpeg; publishes MediaIngested",
        b => b.AddIngest());

    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<IngestOptions>(builder.Configuration.GetSection(IngestOptions.Section));
        // Not from IHttpClientFactory: the defaults add a retrying resilience handler, and downloads need the guarded handler.
        builder.Services.AddSingleton<IngestHttpClient>();
        builder.Services.AddSingleton<OperatorFiles>();
        // The tombstones of taken-down items (beside the catalogue): their bytes are not ingested again.
        builder.AddVmNetCatalogue();
        builder.Services.AddSingleton<MediaFetcher>().AddSingleton<MediaSplitter>().AddSingleton<Ingestor>();
        builder.Services.AddRoleConsumers(Name, bus => bus.AddConsumer<IngestRequestedConsumer>(typeof(IngestRequestedConsumerDefinition)));
        return builder;
    }
}
