using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace VmNet.ServiceDefaults;

public static class BusExtensions
{
    /// <summary>
    /// The bus for every role registered so far: in-memory by default, RabbitMQ with <c>Bus:Transport=RabbitMq</c>.
    /// Call after the roles' <c>AddX()</c>.
    /// </summary>
    public static IHostApplicationBuilder AddVmNetBus(this IHostApplicationBuilder builder)
    {
        var options = BusOptions.From(builder.Configuration);
        builder.Services.Configure<BusOptions>(builder.Configuration.GetSection(BusOptions.Section));
        var services = builder.Services;
        // Start returns only once every receive endpoint is bound: a process that publishes right after starting
        // (vmnet ingest, a test) must already hear the answers, and a role reports ready only when it consumes.
        services.AddOptions<MassTransitHostOptions>().Configure(o => o.WaitUntilStarted = true);
        var queues = new ConsumedQueues();
        services.AddSingleton(queues);
        if (options.Transport == BusTransport.RabbitMq)
        {
            services.AddSingleton<QueueDepthMonitor>();
            services.AddHostedService(sp => sp.GetRequiredService<QueueDepthMonitor>());
        }

        services.AddMassTransit(bus =>
        {
            // MassTransit 8.4+ reports anonymous usage to usage-tracking.masstransit.io from every process; nothing
            // here may call out to the internet (and the closed networks here log a failure for each attempt).
            bus.DisableUsageTelemetry();
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConfigureEndpointsCallback((name, _) => queues.Add(name));
            bus.AddRegisteredConsumers(services);
            if (options.RedeliveryEnabled)
            {
                bus.AddDelayedMessageScheduler();
            }

            switch (options.Transport)
            {
                case BusTransport.RabbitMq:
                    bus.UsingRabbitMq((context, cfg) =>
                    {
                        var (address, user, password) = options.RabbitMq.Resolve();
                        cfg.Host(address, h =>
                        {
                            h.Username(user);
                            h.Password(password);
                        });
                        if (options.RedeliveryEnabled)
                        {
                            cfg.UseDelayedMessageScheduler();
                        }

                        cfg.ConfigurePublish(p => p.UseFilter(new CausalMessageIdFilter()));
                        cfg.ConfigureEndpoints(context);
                    });
                    break;
                default:
                    bus.UsingInMemory((context, cfg) =>
                    {
                        if (options.RedeliveryEnabled)
                        {
                            cfg.UseDelayedMessageScheduler();
                        }

                        cfg.ConfigurePublish(p => p.UseFilter(new CausalMessageIdFilter()));
                        cfg.ConfigureEndpoints(context);
                    });
                    break;
            }
        });
        return builder;
    }
}
