using Microsoft.Extensions.Hosting;
using VmNet.ServiceDefaults;

namespace VmNet.Search;

/// <summary>Registers the search role.</summary>
public static class SearchRole
{
    public static IHostApplicationBuilder AddSearch(this IHostApplicationBuilder builder)
    {
        return builder;
    }

    /// <summary>Maps the gRPC endpoints; called by the host when the search role runs.</summary>
    public static Microsoft.AspNetCore.Builder.WebApplication MapSearchApi(this Microsoft.AspNetCore.Builder.WebApplication app) => app;

    /// <summary>The role's commands for <c>vmnet</c>.</summary>
    public static CliContribution Cli() => new();
}
