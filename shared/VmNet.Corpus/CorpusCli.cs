using VmNet.ServiceDefaults;

namespace VmNet.Corpus;

/// <summary><c>vmnet corpus generate</c>.</summary>
public static class CorpusCli
{
    public static CliContribution Cli() => new();
}
