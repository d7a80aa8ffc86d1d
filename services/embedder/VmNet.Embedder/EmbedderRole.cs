using Microsoft.Extensions.Hosting;
using VmNet.ServiceDefaults;

namespace VmNet.Embedder;

/// <summary>Registers the embedder role.</summary>
public static class EmbedderRole
{
    public static IHostApplicationBuilder AddEmbedder(this IHostApplicationBuilder builder)
    {
        return builder;
    }

    /// <summary>The role's commands for <c>vmnet</c>.</summary>
    public static CliContribution Cli() => new();
}
