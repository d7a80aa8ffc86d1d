using Microsoft.Extensions.Hosting;
using VmNet.ServiceDefaults;

namespace VmNet.AudioFeatures.Service;

/// <summary>Registers the audio-features role.</summary>
public static class AudioFeaturesRole
{
    public static IHostApplicationBuilder AddAudioFeatures(this IHostApplicationBuilder builder)
    {
        return builder;
    }

    /// <summary>The role's commands for <c>vmnet</c>.</summary>
    public static CliContribution Cli() => new();
}
