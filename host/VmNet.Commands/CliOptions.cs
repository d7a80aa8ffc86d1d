using System.CommandLine;
using VmNet.ServiceDefaults;

namespace VmNet.Commands;

/// <summary>The options every command shares, each defined once; they become configuration keys.</summary>
public static class CliOptions
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

    /// <summary>Result as JSON on stdout (one document); every command that has a result takes it.</summary>
    public static Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the result as JSON on stdout (logs and progress go to stderr)",
        Recursive = true,
    };

    static CliOptions()
    {
        Transport.AcceptOnlyFromAmong("inmemory", "rabbitmq");
    }

    /// <summary>Configuration keys from the parsed options; absent options leave appsettings and environment alone.</summary>
    public static Dictionary<string, string?> ToOverrides(ParseResult parse)
    {
        var config = new Dictionary<string, string?>();
        if (parse.GetValue(Data) is { } data)
        {
            config["Storage:DataDir"] = Path.GetFullPath(data);
        }

        if (parse.GetValue(RabbitMq) is { } rabbit)
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
