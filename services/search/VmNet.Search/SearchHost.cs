using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using VmNet.ServiceDefaults;

namespace VmNet.Search;

/// <summary>
/// A process with only the search role, built the way <c>VmNetHost</c> builds <c>vmnet serve --role search</c>:
/// for the benchmark and the tests, without compiling the other roles in.
/// </summary>
public static class SearchHost
{
    public static WebApplication Build(IReadOnlyDictionary<string, string?> overrides, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" });
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.AddServiceDefaults("vmnet-search");
        builder.AddSearch();
        configure?.Invoke(builder);
        builder.AddVmNetBus();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapSearchApi();
        return app;
    }
}
