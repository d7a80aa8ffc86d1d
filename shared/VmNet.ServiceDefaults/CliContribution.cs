using System.CommandLine;

namespace VmNet.ServiceDefaults;

/// <summary>
/// The commands a service project adds to <c>vmnet</c>: top-level ones, sub-commands of
/// <c>vmnet features</c> and of <c>vmnet bench</c>. The host only merges them, so a service owns its CLI.
/// </summary>
public sealed record CliContribution(
    IReadOnlyList<Command>? TopLevel = null,
    IReadOnlyList<Command>? Features = null,
    IReadOnlyList<Command>? Bench = null);
