using Microsoft.Extensions.Hosting;
using VmNet.ServiceDefaults;

namespace VmNet.VideoFeatures.Service;

/// <summary>Registers the video-features role.</summary>
public static class VideoFeaturesRole
{
    public static IHostApplicationBuilder AddVideoFeatures(this IHostApplicationBuilder builder)
    {
        return builder;
    }

    /// <summary>The role's commands for <c>vmnet</c>.</summary>
    public static CliContribution Cli() => new();
}
