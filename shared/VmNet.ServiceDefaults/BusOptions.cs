using Microsoft.Extensions.Configuration;

namespace VmNet.ServiceDefaults;

public enum BusTransport
{
    InMemory,
    RabbitMq,
}

/// <summary>The <c>Bus</c> configuration section (env: <c>Bus__Transport</c>, <c>Bus__RabbitMq__Uri</c>, ...).</summary>
public sealed class BusOptions
{
    public const string Section = "Bus";

    /// <summary>The one reading of the <c>Bus</c> section: whether this process is on RabbitMQ is answered here.</summary>
    public static BusOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<BusOptions>() ?? new BusOptions();

    public BusTransport Transport { get; set; } = BusTransport.InMemory;

    public RabbitMqOptions RabbitMq { get; set; } = new();

    /// <summary>Immediate retries inside one delivery (exponential, 200 ms to 5 s).</summary>
    public int RetryLimit { get; set; } = 3;

    /// <summary>
    /// Second-level redelivery after the retries are spent, at 5 s, 30 s, 2 min. On RabbitMQ it needs the
    /// broker's delayed-message plugin, so it is off there unless set.
    /// </summary>
    public bool? Redelivery { get; set; }

    /// <summary>
    /// Record every delivery to a role's consumer (received, consumed, faulted) in the catalogue's PostgreSQL
    /// database, table <c>delivery_ledger</c>: what the fault tests and <c>vmnet bench soak</c> count loss and
    /// duplicates from. Off by default: it costs two writes per message.
    /// </summary>
    public bool DeliveryLedger { get; set; }

    /// <summary>Messages in flight per consumer, per role (e.g. <c>Bus:Concurrency:audio-features = 2</c>).</summary>
    public Dictionary<string, int> Concurrency { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public int ConcurrencyFor(string role) =>
        Concurrency.TryGetValue(role, out var n) && n > 0 ? n : Environment.ProcessorCount;

    public bool RedeliveryEnabled => Redelivery ?? Transport == BusTransport.InMemory;
}

/// <summary>Where RabbitMQ is: either one <see cref="Uri"/> (amqp://user:pass@host:port/vhost) or the parts.</summary>
public sealed class RabbitMqOptions
{
    public string? Uri { get; set; }

    public string Host { get; set; } = "localhost";

    public ushort Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    public string Username { get; set; } = "guest";

    public string Password { get; set; } = "guest";

    /// <summary>The broker address with credentials taken from the URI when it has them.</summary>
    public (Uri Address, string Username, string Password) Resolve()
    {
        if (string.IsNullOrWhiteSpace(Uri))
        {
            var vhost = VirtualHost.TrimStart('/');
            return (new Uri($"rabbitmq://{Host}:{Port}/{vhost}"), Username, Password);
        }

        var uri = new Uri(Uri);
        if (uri.Scheme is not ("amqp" or "rabbitmq"))
        {
            throw new ArgumentException($"RabbitMQ URI must be amqp://USER:PASS@HOST:PORT/VHOST, got scheme '{uri.Scheme}'");
        }

        var user = Username;
        var password = Password;
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = System.Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? System.Uri.UnescapeDataString(parts[1]) : password;
        }

        var port = uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port;
        var path = System.Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return (new Uri($"rabbitmq://{uri.Host}:{port}/{System.Uri.EscapeDataString(path)}"), user, password);
    }
}
