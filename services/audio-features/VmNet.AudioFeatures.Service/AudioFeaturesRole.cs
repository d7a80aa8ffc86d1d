using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using VmNet.Media;
using VmNet.ServiceDefaults;
using VmNet.Storage;

namespace VmNet.AudioFeatures.Service;

/// <summary>Registers the audio-features role.</summary>
public static class AudioFeaturesRole
{
    /// <summary>The role's name: its queue prefix, its <c>Bus:Concurrency</c> key, its <c>--role</c> value.</summary>
    public const string Name = "audio-features";

    /// <summary>How a host adds this role.</summary>
    public static RoleDescriptor Descriptor { get; } = new(
        Name,
        "VM-NET music features of each ingested audio part",
        b => b.AddAudioFeatures());

    public static IHostApplicationBuilder AddAudioFeatures(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<AudioFeaturesOptions>(builder.Configuration.GetSection(AudioFeaturesOptions.Section));
        builder.Services.TryAddSingleton(_ => new DataDirectory(ServiceDefaultsExtensions.DataDirectoryPath(builder.Configuration)));
        builder.Services.AddSingleton<AudioFeatureService>();
        // The tombstones of taken-down items (beside the catalogue): they get no features and no cache.
        builder.AddVmNetCatalogue();
        builder.Services.AddRoleConsumers(
            Name, bus => bus.AddConsumer<MediaIngestedConsumer>(typeof(MediaIngestedConsumerDefinition)));
        return builder;
    }

}
