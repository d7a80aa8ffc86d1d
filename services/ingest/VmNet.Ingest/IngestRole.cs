using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VmNet.ServiceDefaults;

namespace VmNet.Ingest;

/// <summary>Registers the ingest role.</summary>
public static class IngestRole
{
    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<IngestOptions>(builder.Configuration.GetSection(IngestOptions.Section));
        builder.Services.AddHttpClient("ingest");
        builder.Services.AddSingleton<MediaFetcher>().AddSingleton<MediaSplitter>().AddSingleton<Ingestor>();
        builder.Services.AddRoleConsumers(Role.Ingest, bus => bus.AddConsumer<IngestRequestedConsumer>(typeof(IngestRequestedConsumerDefinition)));
        return builder;
    }
}
