using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Media;
using VmNet.Search.Grpc;
using VmNet.Search.Web;
using VmNet.Onnx;
using VmNet.ServiceDefaults;
using VmNet.Storage;

namespace VmNet.Search;

/// <summary>Registers the search role: the gRPC services on their own HTTP/2 endpoint and the soundtrack tagger.</summary>
public static partial class SearchRole
{
    /// <summary>The role's name: its queue prefix, its <c>Bus:Concurrency</c> key, its <c>--role</c> value.</summary>
    public const string Name = "search";

    /// <summary>How a host adds this role.</summary>
    public static RoleDescriptor Descriptor { get; } = new(
        Name,
        "gRPC search on the live generation, soundtrack suggestions for video-only uploads",
        b => b.AddSearch(), app => app.MapSearchApi());

    /// <summary>
    /// Reads the catalogue and vector store of <c>AddVmNetStore</c> (shared with the embedder when both run here);
    /// models open with <see cref="OnnxEmbeddingModel"/> unless another <see cref="EmbeddingModelLoader"/> is registered.
    /// </summary>
    public static IHostApplicationBuilder AddSearch(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<SearchOptions>(builder.Configuration.GetSection(SearchOptions.Section));
        var endpoints = new SearchEndpoints();
        services.AddSingleton(endpoints);
        // Kestrel's explicit listeners replace `urls`: take them over (HTTP/1, health) and clear the key, so Kestrel
        // does not warn that it is overriding them.
        var urls = builder.Configuration["urls"];
        builder.Configuration["urls"] = string.Empty;
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<SearchOptions>>((kestrel, options) => endpoints.Configure(kestrel, urls, options.Value));

        builder.AddVmNetStore();
        services.AddOnnxEmbeddingModels();
        services.TryAddSingleton(new FeatureLayouts());
        services.TryAddSingleton<IClipFeatureExtractor, MediaClipFeatureExtractor>();
        services.AddMemoryCache();
        services.AddSingleton<ModelCache>()
            .AddSingleton<MatchExplainer>()
            .AddSingleton<SearchEngine>()
            .AddSingleton<ClipSearch>()
            .AddSingleton<Preview.PreviewRenderer>()
            .AddSingleton<SoundtrackTagger>()
            .AddSingleton<LiveModelMonitor>()
            .AddHostedService(sp => sp.GetRequiredService<LiveModelMonitor>());

        // JSON transcoding serves the proto's google.api.http rules on the HTTP listener through the same services and
        // interceptor (keys, status codes); Grpc.Swagger describes them as OpenAPI.
        services.AddGrpc(o => o.Interceptors.Add<SearchServerInterceptor>()).AddJsonTranscoding();
        services.AddGrpcSwagger();
        services.AddSwaggerGen(o => o.SwaggerDoc("v1", new Microsoft.OpenApi.Models.OpenApiInfo { Title = "VmNet search", Version = "v1" }));
        if (builder.Configuration.GetValue<bool>($"{SearchOptions.Section}:{nameof(SearchOptions.EnableReflection)}"))
        {
            services.AddGrpcReflection();
        }

        services.AddGrpcHealthChecks();
        services.AddRoleConsumers(Name, bus =>
        {
            bus.AddConsumer<MediaEmbeddedConsumer>(typeof(MediaEmbeddedConsumerDefinition));
            bus.AddConsumer<ModelActivatedConsumer>(typeof(ModelActivatedConsumerDefinition));
        });
        builder.AddSearchTakedown();
        return builder;
    }

    /// <summary>
    /// Search's part of a takedown without the rest of the role: the soundtrack ledger, the <c>MediaPurged</c> consumer
    /// and the resumer of interrupted removals (the role, and <c>vmnet catalogue remove</c> on the in-memory bus).
    /// </summary>
    public static IHostApplicationBuilder AddSearchTakedown(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddVmNetCatalogue();
        services.AddMemoryCache();
        services.TryAddSingleton<ISoundtrackLedger>(sp => sp.GetRequiredService<IOptions<CatalogueOptions>>().Value.Kind == CatalogueKind.Postgres
            ? new PostgresSoundtrackLedger(sp.GetRequiredService<PostgresDatabase>())
            : new SoundtrackLedger(sp.GetRequiredService<DataDirectory>()));
        services.TryAddSingleton<SearchTakedown>();
        services.AddHostedService<SearchRemovalResumer>();
        services.AddRoleConsumers(Name, bus => bus.AddConsumer<MediaPurgedConsumer>(typeof(MediaPurgedConsumerDefinition)));
        return builder;
    }

    /// <summary>Maps the gRPC endpoints; called by the host when the search role runs.</summary>
    public static WebApplication MapSearchApi(this WebApplication app)
    {
        app.MapGrpcService<SearchGrpcService>();
        app.MapGrpcService<SearchAdminGrpcService>();
        app.MapGrpcHealthChecksService();
        if (app.Services.GetRequiredService<IOptions<SearchOptions>>().Value.EnableReflection)
        {
            app.MapGrpcReflectionService();
        }

        app.MapSearchWeb();
        app.UseSwagger();
        app.UseSwaggerUI(o => o.SwaggerEndpoint("/swagger/v1/swagger.json", "VmNet search v1"));
        var endpoints = app.Services.GetRequiredService<SearchEndpoints>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SearchRole).FullName!);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            LogListening(logger, endpoints.GrpcAddress?.ToString() ?? "(not bound)", endpoints.Tls ? "TLS" : "h2c");
            if (endpoints.HttpAddress is { } http)
            {
                LogPage(logger, http.ToString(), new Uri(http, "swagger/").ToString());
            }
        });
        return app;
    }


    [LoggerMessage(5050, LogLevel.Information, "Search gRPC listening on {Address} ({Mode})")]
    private static partial void LogListening(ILogger logger, string address, string mode);

    [LoggerMessage(5051, LogLevel.Information, "Search web page and REST/JSON API on {Address} (OpenAPI: {Swagger})")]
    private static partial void LogPage(ILogger logger, string address, string swagger);
}
