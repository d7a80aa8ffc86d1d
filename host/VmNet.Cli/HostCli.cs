using VmNet.Demo;
using VmNet.PipelineBench;
using VmNet.ServiceDefaults;

namespace VmNet.Cli;

/// <summary>Commands that need every role in one process (demo, pipeline benchmark) live here.</summary>
public static class HostCli
{
    public static CliContribution Cli() => new(TopLevel: [DemoCommand.Create()], Bench: [PipelineBenchCommand.Create()]);
}
