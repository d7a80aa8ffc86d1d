using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Hosting;
using VmNet.Testing;

namespace VmNet.Deployment.Tests;

/// <summary>
/// A role logs in to the real broker (scripts/test.sh starts it) as its own user with the password read from
/// <c>Bus:RabbitMq:PasswordFile</c>, as the compose file wires it; a wrong file keeps it out (#13 item 4).
/// </summary>
public sealed class BrokerSecretFileTests : IDisposable
{
    private readonly TempFolder _folder = new("broker-secret");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_process_logs_in_with_its_own_user_and_the_password_from_a_file_and_not_with_another()
    {
        var broker = new Uri(RabbitMqBroker.RequireUri());
        var vhost = new Uri(await RabbitMqBroker.NewVirtualHostAsync("secret"));
        var user = $"role-{Guid.NewGuid():N}"[..16];
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        await RabbitMqBroker.CtlAsync("add_user", user, password);
        await RabbitMqBroker.CtlAsync("set_permissions", "-p", vhost.AbsolutePath.TrimStart('/'), user, ".*", ".*", ".*");
        var right = _folder.File("right");
        var wrong = _folder.File("wrong");
        await File.WriteAllTextAsync(right, password + "\n", Ct);
        await File.WriteAllTextAsync(wrong, password + "x\n", Ct);
        // Both hosts are built before either is disposed: MassTransit keeps the last host's logger factory in a static.
        await using var ok = Client(broker, vhost, user, right);
        await using var refused = Client(broker, vhost, user, wrong);
        try
        {
            await ok.StartAsync(Ct);
            await ok.StopAsync(Ct);

            await Assert.ThrowsAnyAsync<Exception>(() => refused.StartAsync(Ct));
        }
        finally
        {
            await RabbitMqBroker.CtlAsync("delete_user", user);
        }
    }

    private static Microsoft.AspNetCore.Builder.WebApplication Client(Uri broker, Uri vhost, string user, string passwordFile) =>
        VmNetHost.BuildClient(
            new Dictionary<string, string?>
            {
                ["Bus:Transport"] = "RabbitMq",
                // No credentials in the URI: the user and the password file give them, as in docker-compose.yml.
                ["Bus:RabbitMq:Uri"] = $"amqp://{broker.Host}:{broker.Port}{vhost.AbsolutePath}",
                ["Bus:RabbitMq:Username"] = user,
                ["Bus:RabbitMq:PasswordFile"] = passwordFile,
                ["Logging:LogLevel:Default"] = "None",
            },
            b => b.Services.Configure<MassTransitHostOptions>(o => o.StartTimeout = TimeSpan.FromSeconds(10)));
}
