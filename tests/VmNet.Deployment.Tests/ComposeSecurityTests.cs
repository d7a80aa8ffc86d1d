using System.Text.RegularExpressions;
using VmNet.Testing;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace VmNet.Deployment.Tests;

/// <summary>
/// What docker-compose.yml and the Dockerfile expose (#13 item 4), read statically (no Docker engine here): only the
/// search endpoint is published, the broker, the vector store and any database are reachable only on an internal
/// network, no password or key is written in the file, the image does not run as root, reflection is off and the
/// search endpoint requires TLS.
/// </summary>
public sealed partial class ComposeSecurityTests
{
    /// <summary>Services that hold state or route messages: never published, never on a network with a way out.</summary>
    private static readonly Regex Backing = BackingImage();

    private static readonly Dictionary<object, object> Compose = Load(File.ReadAllText(Path.Combine(RepoPaths.Root, "docker-compose.yml")));

    public static TheoryData<string> ServiceNames => [.. Services(Compose).Keys.Cast<string>()];

    [Fact]
    public void Only_the_search_service_publishes_ports_and_only_its_own_endpoints()
    {
        Assert.Empty(PublishingViolations(Compose));
    }

    [Fact]
    public void The_broker_the_vector_store_and_any_database_are_on_internal_networks_only()
    {
        Assert.Empty(BackingViolations(Compose));
    }

    [Fact]
    public void No_password_key_or_token_is_written_in_the_compose_file()
    {
        Assert.Empty(SecretViolations(Compose));
    }

    [Fact]
    public void Every_secret_a_service_reads_is_declared_and_mounted_in_that_service()
    {
        var declared = Map(Compose["secrets"]);
        foreach (var (name, node) in Services(Compose))
        {
            var service = Map(node);
            var mounted = service.TryGetValue("secrets", out var s) ? List(s).ToHashSet() : [];
            foreach (var value in Environment(service).Values.Concat(service.TryGetValue("entrypoint", out var e) ? Strings(e) : []))
            {
                foreach (Match m in SecretPath().Matches(value))
                {
                    Assert.True(mounted.Contains(m.Groups[1].Value), $"{name} reads /run/secrets/{m.Groups[1].Value} but does not mount it");
                    Assert.True(declared.ContainsKey(m.Groups[1].Value), $"secret {m.Groups[1].Value} is not declared");
                }
            }
        }
    }

    [Fact]
    public void Search_requires_tls_and_has_reflection_off()
    {
        var env = Environment(Map(Services(Compose)["search"]));

        Assert.Equal("true", env["Search__RequireTls"]);
        Assert.Equal("false", env["Search__EnableReflection"]);
        Assert.StartsWith("https://", env["Search__GrpcUrl"], StringComparison.Ordinal);
        Assert.StartsWith("/run/secrets/", env["Search__Certificate__Path"], StringComparison.Ordinal);
        Assert.StartsWith("/run/secrets/", env["Search__Certificate__KeyPath"], StringComparison.Ordinal);
    }

    [Fact]
    public void Qdrant_gets_its_api_key_from_the_secret_the_roles_send()
    {
        var qdrant = Map(Services(Compose)["qdrant"]);

        Assert.Contains("QDRANT__SERVICE__API_KEY", string.Join(' ', Strings(qdrant["entrypoint"])), StringComparison.Ordinal);
        Assert.Contains("/run/secrets/qdrant-api-key", string.Join(' ', Strings(qdrant["entrypoint"])), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_role_has_its_own_broker_user_and_password_secret()
    {
        var users = VmNet.Hosting.Roles.Names.Select(r => Environment(Map(Services(Compose)[r]))["Bus__RabbitMq__Username"]).ToList();
        var files = VmNet.Hosting.Roles.Names.Select(r => Environment(Map(Services(Compose)[r]))["Bus__RabbitMq__PasswordFile"]).ToList();

        Assert.Equal(users.Count, users.Distinct().Count());
        Assert.Equal(files.Count, files.Distinct().Count());
        Assert.DoesNotContain("admin", users);
    }

    [Fact]
    public void The_image_runs_as_a_non_root_user()
    {
        Assert.Null(DockerfileViolation(File.ReadAllText(Path.Combine(RepoPaths.Root, "Dockerfile"))));
    }

    [Fact]
    public void The_image_has_yt_dlp_and_the_broker_users_script()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, "Dockerfile"));

        Assert.Contains("yt-dlp", dockerfile, StringComparison.Ordinal);
        Assert.Contains("deploy/rabbitmq-users.sh", dockerfile, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "deploy/rabbitmq-users.sh")));
    }

    /// <summary>The checks catch what the compose file and Dockerfile of 3c37144 did (the rules cannot pass vacuously).</summary>
    [Fact]
    public void The_checks_find_the_holes_of_the_old_deployment()
    {
        var old = Load("""
            services:
              rabbitmq:
                image: rabbitmq:3.13-management
                environment: { RABBITMQ_DEFAULT_USER: vmnet, RABBITMQ_DEFAULT_PASS: vmnet }
                ports: ["5672:5672", "15672:15672"]
              qdrant:
                image: qdrant/qdrant:v1.15.0
                ports: ["6333:6333", "6334:6334"]
              postgres:
                image: postgres:17
                environment: { POSTGRES_PASSWORD: vmnet }
                expose: ["5432"]
                ports: ["127.0.0.1:5432:5432"]
              ingest:
                image: vmnet:latest
                environment: { Bus__RabbitMq__Uri: "amqp://vmnet:vmnet@rabbitmq:5672/" }
              search:
                image: vmnet:latest
                environment: { Search__GrpcUrl: "http://0.0.0.0:5081" }
                ports: ["5081:5081", "9000:9000"]
            """);

        Assert.Equal(["postgres", "qdrant", "rabbitmq", "search"], PublishingViolations(old).Select(v => v.Split(':')[0]).Distinct().Order());
        Assert.Equal(["postgres", "qdrant", "rabbitmq"], BackingViolations(old).Select(v => v.Split(':')[0]).Distinct().Order());
        Assert.Equal(["ingest", "postgres", "rabbitmq"], SecretViolations(old).Select(v => v.Split(':')[0]).Distinct().Order());
        Assert.NotNull(DockerfileViolation("FROM mcr.microsoft.com/dotnet/aspnet:10.0\nENTRYPOINT [\"dotnet\", \"vmnet.dll\"]\n"));
        Assert.NotNull(DockerfileViolation("FROM x AS build\nUSER app\nFROM y\nRUN true\n"));
        Assert.NotNull(DockerfileViolation("FROM y\nUSER app\nUSER root\n"));
    }

    /// <summary>Ports published by any service but search, and search ports that are not one of its Search:*Url.</summary>
    private static List<string> PublishingViolations(Dictionary<object, object> compose)
    {
        var violations = new List<string>();
        foreach (var (name, node) in Services(compose))
        {
            var service = Map(node);
            if (service.TryGetValue("network_mode", out var mode) && (string)mode == "host")
            {
                violations.Add($"{name}: network_mode host");
            }

            if (!service.TryGetValue("ports", out var ports))
            {
                continue;
            }

            if ((string)name != "search")
            {
                violations.AddRange(Strings(ports).Select(p => $"{name}: publishes {p}"));
                continue;
            }

            var own = Environment(service)
                .Where(kv => kv.Key.StartsWith("Search__", StringComparison.Ordinal) && kv.Key.EndsWith("Url", StringComparison.Ordinal))
                .Select(kv => new Uri(kv.Value).Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .ToHashSet();
            violations.AddRange(Strings(ports).Where(p => !own.Contains(p.Split(':')[^1])).Select(p => $"{name}: publishes {p}, not a Search:*Url port"));
        }

        return violations;
    }

    /// <summary>Backing services (broker, vector store, database) that publish a port or sit on a non-internal network.</summary>
    private static List<string> BackingViolations(Dictionary<object, object> compose)
    {
        var networks = compose.TryGetValue("networks", out var n) ? Map(n) : [];
        var violations = new List<string>();
        foreach (var (name, node) in Services(compose))
        {
            var service = Map(node);
            if (!service.TryGetValue("image", out var image) || !Backing.IsMatch((string)image))
            {
                continue;
            }

            if (service.ContainsKey("ports"))
            {
                violations.Add($"{name}: publishes ports");
            }

            // No networks: key means compose's default network, which is not internal.
            var joined = service.TryGetValue("networks", out var j) ? (j is List<object> l ? l.Cast<string>().ToList() : Map(j).Keys.Cast<string>().ToList()) : ["default"];
            foreach (var network in joined)
            {
                var isInternal = networks.TryGetValue(network, out var def) && def is Dictionary<object, object> d
                    && d.TryGetValue("internal", out var i) && i is string s && s == "true";
                if (!isInternal)
                {
                    violations.Add($"{name}: on network {network}, which is not internal");
                }
            }
        }

        return violations;
    }

    /// <summary>Environment values that carry a password or key in clear (not a secret file, not a required variable).</summary>
    private static List<string> SecretViolations(Dictionary<object, object> compose)
    {
        var violations = new List<string>();
        foreach (var (name, node) in Services(compose))
        {
            foreach (var (key, value) in Environment(Map(node)))
            {
                if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':', StringComparison.Ordinal))
                {
                    violations.Add($"{name}: {key} has credentials in its URI");
                }
                else if (SecretKey().IsMatch(key) && !key.EndsWith("File", StringComparison.Ordinal) && !key.EndsWith("_FILE", StringComparison.Ordinal)
                         && !RequiredVariable().IsMatch(value))
                {
                    violations.Add($"{name}: {key} is written in the file");
                }
            }
        }

        return violations;
    }

    /// <summary>Why the final stage of <paramref name="dockerfile"/> runs as root, or null when it does not.</summary>
    private static string? DockerfileViolation(string dockerfile)
    {
        var lines = dockerfile.Split('\n').Select(l => l.Trim()).ToList();
        var final = lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase));
        var user = lines.Skip(final + 1).LastOrDefault(l => l.StartsWith("USER ", StringComparison.OrdinalIgnoreCase))?[5..].Trim();
        return user switch
        {
            null => "the final stage has no USER: it runs as root",
            "root" or "0" or "0:0" or "root:root" => $"the final stage runs as {user}",
            _ => null,
        };
    }

    private static Dictionary<object, object> Services(Dictionary<object, object> compose) => Map(compose["services"]);

    private static Dictionary<string, string> Environment(Dictionary<object, object> service) =>
        service.TryGetValue("environment", out var env)
            ? Map(env).ToDictionary(kv => (string)kv.Key, kv => kv.Value as string ?? string.Empty)
            : [];

    private static Dictionary<object, object> Load(string yaml)
    {
        var parser = new MergingParser(new Parser(new StringReader(yaml)));
        return new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(parser);
    }

    private static Dictionary<object, object> Map(object node) => Assert.IsType<Dictionary<object, object>>(node);

    private static List<string> List(object node) => Strings(node);

    private static List<string> Strings(object node) => node switch
    {
        string s => [s],
        List<object> l => l.Select(o => o as string ?? string.Empty).ToList(),
        _ => [],
    };

    [GeneratedRegex("(^|/)(rabbitmq|qdrant|postgres|postgis|redis|mysql|mariadb|mongo)[:@]", RegexOptions.IgnoreCase)]
    private static partial Regex BackingImage();

    [GeneratedRegex("pass|secret|token|apikey|api_key|_key$|password", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKey();

    [GeneratedRegex(@"^\$\{[A-Za-z_][A-Za-z0-9_]*:\?[^}]*\}$")]
    private static partial Regex RequiredVariable();

    [GeneratedRegex("/run/secrets/([A-Za-z0-9._-]+)")]
    private static partial Regex SecretPath();
}
