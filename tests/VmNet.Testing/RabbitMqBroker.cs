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

    /// <summary>A broker URI on a fresh virtual host would need the management API; tests isolate by queue names instead.</summary>
    public static string RabbitMqCtl => Environment.GetEnvironmentVariable("VMNET_TEST_RABBITMQCTL") ?? "rabbitmqctl";
}
