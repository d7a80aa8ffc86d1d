using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using VmNet.Media;
using VmNet.ServiceDefaults;

namespace VmNet.AudioFeatures.Service;

/// <summary>Registers the audio-features role.</summary>
public static class AudioFeaturesRole
{
    public static IHostApplicationBuilder AddAudioFeatures(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<AudioFeaturesOptions>(builder.Configuration.GetSection(AudioFeaturesOptions.Section));
        builder.Services.TryAddSingleton(_ => new DataDirectory(ServiceDefaultsExtensions.DataDirectoryPath(builder.Configuration)));
        builder.Services.AddSingleton<AudioFeatureService>();
        builder.Services.AddRoleConsumers(
            Role.AudioFeatures, bus => bus.AddConsumer<MediaIngestedConsumer>(typeof(MediaIngestedConsumerDefinition)));
        return builder;
    }

    /// <summary>The role's commands for <c>vmnet</c>: <c>features audio</c> and <c>bench audio</c>.</summary>
    public static CliContribution Cli() => new(Features: [AudioCommands.Features()], Bench: [AudioCommands.Bench()]);
}
