using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Media;
using VmNet.ServiceDefaults;
using VmNet.Storage;
using VmNet.VideoFeatures;

namespace VmNet.VideoFeatures.Service;

/// <summary>Registers the video-features role.</summary>
public static partial class VideoFeaturesRole
{
    /// <summary>The role's name: its queue prefix, its <c>Bus:Concurrency</c> key, its <c>--role</c> value.</summary>
    public const string Name = "video-features";

    /// <summary>How a host adds this role.</summary>
    public static RoleDescriptor Descriptor { get; } = new(
        Name,
        "CNN video vectors of each ingested video part",
        b => b.AddVideoFeatures());

    public static IHostApplicationBuilder AddVideoFeatures(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<VideoFeatureOptions>(builder.Configuration.GetSection(VideoFeatureOptions.Section));
        builder.Services.AddSingleton(sp => new VideoPcaStore(sp.GetRequiredService<DataDirectory>()));
        builder.Services.AddSingleton(sp => new VideoFeatureCache(sp.GetRequiredService<DataDirectory>()));
        // The tombstones of taken-down items (beside the catalogue): they get no features and no frame cache.
        builder.AddVmNetCatalogue();
        builder.Services.AddSingleton(sp =>
        {
            var extractor = new VideoFeatureExtractor(
                sp.GetRequiredService<IOptions<VideoFeatureOptions>>().Value, sp.GetRequiredService<VideoPcaStore>());
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(VideoFeaturesRole));
            LogProvider(logger, extractor.Cnn.ExecutionProvider, extractor.ExtractorVersion, extractor.Cnn.ProviderNote ?? "-");
            return extractor;
        });
        builder.Services.AddSingleton(sp => new MediaVideoFeatures(sp.GetRequiredService<VideoFeatureExtractor>(), sp.GetRequiredService<VideoFeatureCache>()));
        // Load the CNN at start-up, so the provider choice is logged then and the first video does not wait for it.
        builder.Services.AddHostedService<CnnWarmUp>();
        builder.Services.AddRoleConsumers(Name, bus => bus.AddConsumer<MediaIngestedConsumer>(typeof(MediaIngestedConsumerDefinition)));
        return builder;
    }


    [LoggerMessage(3000, LogLevel.Information, "Video CNN on {Provider} (extractor {ExtractorVersion}; CUDA: {Note})")]
    private static partial void LogProvider(ILogger logger, string provider, string extractorVersion, string note);

    private sealed class CnnWarmUp(VideoFeatureExtractor extractor) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(extractor.Cnn.Dimension);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
