using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VmNet.Hosting;

namespace VmNet.Deployment.Tests;

/// <summary>
/// No process calls out to the internet on its own: MassTransit 8.4+ reports usage to its vendor's host unless told
/// not to (seen in a soak run's logs as a failed lookup of usage-tracking.masstransit.io from every role process).
/// </summary>
public sealed class NoCallHomeTests
{
    [Fact]
    public async Task The_bus_never_reports_usage_telemetry()
    {
        await using var host = VmNetHost.BuildClient(
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "None" },
            _ => { });

        Assert.False(host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }
}
