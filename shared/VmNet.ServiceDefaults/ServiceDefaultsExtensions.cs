using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using VmNet.Media;

namespace VmNet.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    public const string LivenessPath = "/health/live";
    public const string ReadinessPath = "/health/ready";

    /// <summary>Telemetry, health checks, HTTP resilience, the data directory and its start-up temp sweep: what every role needs.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string serviceName = "vmnet")
    {
        builder.AddTelemetry(serviceName);
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        builder.Services.AddSingleton(_ => new DataDirectory(DataDirectoryPath(builder.Configuration)));
        builder.Services.AddHostedService<TempSweeper>();
        return builder;
    }

    /// <summary><c>Storage:DataDir</c>, else <c>VMNET_DATA</c>, else <c>./vmnet-data</c>.</summary>
    public static string DataDirectoryPath(IConfiguration configuration) =>
        configuration["Storage:DataDir"]
        ?? Environment.GetEnvironmentVariable("VMNET_DATA")
        ?? Path.Combine(Environment.CurrentDirectory, "vmnet-data");

    /// <summary>Liveness and readiness in every environment (orchestrators probe production too).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        app.MapHealthChecks(ReadinessPath);
        return app;
    }

    private static void AddTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        var console = builder.Configuration.GetValue<bool>("Telemetry:Console");
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
        });
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}"))
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation().AddMeter("MassTransit").AddMeter(Telemetry.MeterName);
                if (console)
                {
                    m.AddConsoleExporter();
                }
            })
            .WithTracing(t =>
            {
                t.AddSource("MassTransit").AddSource(Telemetry.ActivitySourceName).AddAspNetCoreInstrumentation();
                if (console)
                {
                    t.AddConsoleExporter();
                }
            });
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }
    }
}
