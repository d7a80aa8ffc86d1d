using Microsoft.Extensions.Configuration;

namespace VmNet.ServiceDefaults;

/// <summary>
/// Secrets from files (Docker/Kubernetes secrets): for each key in <see cref="Keys"/>, <c>KEYFile</c> names a file
/// whose content (one trailing newline trimmed) becomes <c>KEY</c>, e.g. <c>Bus:RabbitMq:PasswordFile</c> →
/// <c>Bus:RabbitMq:Password</c>. The value then never has to sit in an environment variable, where
/// <c>docker inspect</c> and child processes would see it.
/// </summary>
public static class SecretFiles
{
    /// <summary>The settings that may be read from a file.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "Bus:RabbitMq:Password",
        "VectorStore:Qdrant:ApiKey",
        "Search:AdminApiKey",
        "Search:QueryApiKey",
        "Search:Certificate:Password",
    ];

    /// <summary>Secrets are small; a larger file is a wrong path (a disk image, /dev/zero), not a key.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The values read from the <c>...File</c> settings present in <paramref name="configuration"/>.</summary>
    public static Dictionary<string, string?> Resolve(IConfiguration configuration)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in Keys)
        {
            var path = configuration[key + "File"];
            if (string.IsNullOrWhiteSpace(path))
            {
                continue;
            }

            values[key] = Read(key + "File", path);
        }

        return values;
    }

    /// <summary>Adds the secrets read from files on top of what <paramref name="builder"/> holds so far.</summary>
    public static IConfigurationBuilder AddSecretFiles(this IConfigurationBuilder builder)
    {
        var resolved = Resolve(builder is IConfiguration configuration ? configuration : builder.Build());
        return resolved.Count == 0 ? builder : builder.AddInMemoryCollection(resolved);
    }

    private static string Read(string setting, string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var buffer = new byte[MaxBytes + 1];
            var total = 0;
            int n;
            while (total < buffer.Length && (n = file.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += n;
            }

            if (total > MaxBytes)
            {
                throw new InvalidOperationException($"{setting}: {path} is larger than {MaxBytes} bytes; not a secret file");
            }

            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, total);
            text = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
            if (text.Length == 0)
            {
                throw new InvalidOperationException($"{setting}: {path} is empty");
            }

            return text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{setting}: cannot read {path} ({e.GetType().Name})", e);
        }
    }
}
