using VmNet.Media;
using Xunit;

namespace VmNet.Testing;

/// <summary>
/// The real RabbitMQ that the test command starts (<c>scripts/test.sh</c> exports <c>VMNET_TEST_RABBITMQ</c>).
/// Outside CI a missing broker skips the test with a reason; in CI (CI=true) it fails.
/// </summary>
public static class RabbitMqBroker
{
    public const string Variable = "VMNET_TEST_RABBITMQ";

    public static string RequireUri()
    {
        var uri = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(uri))
        {
            return uri;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"{Variable} is not set: CI must run the tests through scripts/test.sh, which starts RabbitMQ");
        }

        Assert.Skip($"{Variable} is not set; run scripts/test.sh to start RabbitMQ for this test");
        return string.Empty;
    }

    public static string RabbitMqCtl => Environment.GetEnvironmentVariable("VMNET_TEST_RABBITMQCTL") ?? "rabbitmqctl";

    /// <summary>
    /// A fresh virtual host on the test broker, so tests running at the same time never share queues.
    /// Returns its amqp:// URI.
    /// </summary>
    public static async Task<string> NewVirtualHostAsync(string prefix)
    {
        var baseUri = new Uri(RequireUri());
        var vhost = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
        await CtlAsync("add_vhost", vhost);
        await CtlAsync("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
        return new UriBuilder(baseUri) { Path = "/" + vhost }.Uri.AbsoluteUri;
    }

    /// <summary>Runs rabbitmqctl with the environment the test script exported.</summary>
    public static async Task<string> CtlAsync(params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(RabbitMqCtl, ["-q", .. arguments], TimeSpan.FromMinutes(1), CancellationToken.None, captureStdout: true);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed: {result.StandardError}");
        }

        return System.Text.Encoding.UTF8.GetString(result.StandardOutput);
    }
}
