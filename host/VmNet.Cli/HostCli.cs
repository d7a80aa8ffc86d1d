using VmNet.Demo;
using VmNet.ServiceDefaults;

namespace VmNet.Cli;

/// <summary>Commands that need every role in one process (demo, pipeline benchmark) live here.</summary>
public static class HostCli
{
    public static CliContribution Cli() => new(TopLevel: [DemoCommand.Create()]);
}
