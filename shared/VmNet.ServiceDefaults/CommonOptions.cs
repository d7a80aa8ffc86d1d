using System.CommandLine;

namespace VmNet.ServiceDefaults;

/// <summary>Options every bus- or store-using command takes; they become configuration keys.</summary>
public static class CommonOptions
{
    public static Option<string?> Data { get; } = new("--data")
    {
        Description = "Data directory (media, store, models). Default: $VMNET_DATA or ./vmnet-data",
        Recursive = true,
    };

    public static Option<string?> Transport { get; } = new("--transport")
    {
        Description = "Bus transport: inmemory (default, one process) or rabbitmq",
        Recursive = true,
    };

    public static Option<string?> RabbitMq { get; } = new("--rabbitmq")
    {
        Description = "RabbitMQ broker, amqp://USER:PASS@HOST:PORT/VHOST (implies --transport rabbitmq)",
        Recursive = true,
    };

    static CommonOptions()
    {
        Transport.AcceptOnlyFromAmong("inmemory", "rabbitmq", "InMemory", "RabbitMq");
    }

    /// <summary>Configuration overrides from the parsed options; absent options leave config/env alone.</summary>
    public static Dictionary<string, string?> ToConfiguration(ParseResult parse)
    {
        var config = new Dictionary<string, string?>();
        if (parse.GetValue(Data) is { } data)
        {
            config["Storage:DataDir"] = Path.GetFullPath(data);
        }

        var rabbit = parse.GetValue(RabbitMq);
        if (rabbit is not null)
        {
            config["Bus:RabbitMq:Uri"] = rabbit;
            config["Bus:Transport"] = nameof(BusTransport.RabbitMq);
        }

        if (parse.GetValue(Transport) is { } transport)
        {
            config["Bus:Transport"] = transport.Equals("rabbitmq", StringComparison.OrdinalIgnoreCase)
                ? nameof(BusTransport.RabbitMq)
                : nameof(BusTransport.InMemory);
        }

        return config;
    }
}
