using Microsoft.Extensions.Configuration;
using VmNet.ServiceDefaults;
using VmNet.Testing;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using VmNet.Hosting;

namespace VmNet.Deployment.Tests;

/// <summary>docker-compose.yml wires every role to RabbitMQ, Qdrant and the shared media volume.</summary>
public sealed class ComposeFileTests
{
    private static readonly Dictionary<object, object> Compose = Load();

    private static Dictionary<object, object> Services => Map(Compose["services"]);

    public static TheoryData<string> Roles => [.. VmNet.Hosting.Roles.Names];

    [Theory]
    [MemberData(nameof(Roles))]
    public void Every_role_runs_the_one_image_with_its_role(string role)
    {
        var service = Map(Services[role]);

        Assert.Equal("vmnet:latest", service["image"]);
        Assert.Equal(".", service["build"]);
        Assert.Equal(["serve", "--role", role], List(service["command"]));
        Assert.Contains("media:/data", List(service["volumes"]));
        Assert.Contains("rabbitmq", Map(service["depends_on"]).Keys);
    }

    [Theory]
    [MemberData(nameof(Roles))]
    public void Every_role_binds_to_the_brokers_and_store_the_file_starts(string role)
    {
        var env = Environment(role);
        var bus = Bind(env).GetSection(BusOptions.Section).Get<BusOptions>()!;
        var (address, user, _) = bus.RabbitMq.Resolve();

        Assert.Equal(BusTransport.RabbitMq, bus.Transport);
        Assert.Equal("rabbitmq", address.Host);
        Assert.Equal(5672, address.Port);
        Assert.Equal(role, user);
        Assert.Equal($"/run/secrets/rabbitmq-{role}", env["Bus__RabbitMq__PasswordFile"]);
        Assert.Contains(role, List(Map(Services["broker-users"])["command"]));

        Assert.Equal("Qdrant", env["VectorStore__Kind"]);
        var qdrant = new Uri(env["VectorStore__Qdrant__Url"]);
        Assert.Equal("qdrant", qdrant.Host);
        Assert.Equal(6334, qdrant.Port);
        Assert.Equal("/run/secrets/qdrant-api-key", env["VectorStore__Qdrant__ApiKeyFile"]);
        Assert.Equal("/data", env["Storage__DataDir"]);
        Assert.StartsWith("/data/", env["Ingest__MediaRoots__0"], StringComparison.Ordinal);
    }

    [Fact]
    public void The_broker_has_a_health_check_the_roles_wait_for_and_its_users_are_made_first()
    {
        Assert.True(Map(Services["rabbitmq"]).ContainsKey("healthcheck"));
        foreach (var role in VmNet.Hosting.Roles.Names)
        {
            var dependsOn = Map(Map(Services[role])["depends_on"]);
            Assert.Equal("service_healthy", Map(dependsOn["rabbitmq"])["condition"]);
            Assert.Equal("service_completed_successfully", Map(dependsOn["broker-users"])["condition"]);
        }
    }

    [Fact]
    public void Search_publishes_its_tls_grpc_port_and_reads_its_admin_key_from_a_secret()
    {
        var search = Map(Services["search"]);
        var env = Environment("search");
        var grpc = new Uri(env["Search__GrpcUrl"]);

        Assert.Equal("https", grpc.Scheme);
        Assert.Contains($"{grpc.Port}:{grpc.Port}", List(search["ports"]));
        Assert.Equal("/run/secrets/search-admin-key", env["Search__AdminApiKeyFile"]);
    }

    [Fact]
    public void Named_volumes_are_declared()
    {
        var volumes = Map(Compose["volumes"]).Keys.Cast<string>().ToList();

        Assert.Contains("media", volumes);
        Assert.Contains("rabbitmq", volumes);
        Assert.Contains("qdrant", volumes);
    }

    [Theory]
    [MemberData(nameof(Roles))]
    public void Every_role_keeps_its_catalogue_in_postgres_with_the_password_from_a_secret(string role)
    {
        var env = Environment(role);
        var catalogue = Bind(env).GetSection(VmNet.Storage.CatalogueOptions.Section).Get<VmNet.Storage.CatalogueOptions>()!;

        Assert.Equal(VmNet.Storage.CatalogueKind.Postgres, catalogue.Kind);
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(catalogue.Postgres.ConnectionString);
        Assert.Equal("postgres", connection.Host);
        Assert.Null(connection.Password);
        Assert.Equal(Environment("postgres")["POSTGRES_USER"], connection.Username);
        Assert.Equal(Environment("postgres")["POSTGRES_DB"], connection.Database);
        Assert.Equal("/run/secrets/postgres-password", catalogue.Postgres.PasswordFile);
        Assert.Contains("postgres-password", List(Map(Services[role])["secrets"]));
        Assert.Equal("service_healthy", Map(Map(Map(Services[role])["depends_on"])["postgres"])["condition"]);
    }

    [Fact]
    public void Postgres_publishes_no_port_and_reads_its_password_from_the_secret()
    {
        var postgres = Map(Services["postgres"]);

        Assert.False(postgres.ContainsKey("ports"), "postgres must be reached only on the compose network");
        Assert.True(postgres.ContainsKey("healthcheck"));
        Assert.Equal("/run/secrets/postgres-password", Environment("postgres")["POSTGRES_PASSWORD_FILE"]);
        Assert.DoesNotContain("POSTGRES_PASSWORD", Environment("postgres").Keys);
        Assert.Contains("postgres-password", List(postgres["secrets"]));
        // Made by scripts/make-secrets.sh like every other secret: a file, never a value in the compose file or its environment.
        Assert.Equal("./secrets/postgres-password", Map(Map(Compose["secrets"])["postgres-password"])["file"]);
        Assert.Equal(["backend"], List(postgres["networks"]));
        Assert.Contains("postgres", Map(Compose["volumes"]).Keys.Cast<string>());
    }

    [Fact]
    public void The_Dockerfile_publishes_the_host_and_runs_vmnet()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, "Dockerfile"));

        Assert.Contains("dotnet publish host/VmNet.Cli/VmNet.Cli.csproj", dockerfile, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "host/VmNet.Cli/VmNet.Cli.csproj")));
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"vmnet.dll\"]", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ffmpeg", dockerfile, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Environment(string service) =>
        Map(Map(Services[service])["environment"]).ToDictionary(kv => (string)kv.Key, kv => (string)kv.Value);

    private static IConfiguration Bind(Dictionary<string, string> env) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(env.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value)))
            .Build();

    private static Dictionary<object, object> Load()
    {
        using var reader = new StreamReader(Path.Combine(RepoPaths.Root, "docker-compose.yml"));
        var parser = new MergingParser(new Parser(reader));
        return new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(parser);
    }

    private static Dictionary<object, object> Map(object node) => Assert.IsType<Dictionary<object, object>>(node);

    private static List<string> List(object node) => Assert.IsType<List<object>>(node).Cast<string>().ToList();
}
