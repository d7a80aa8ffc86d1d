using Microsoft.Extensions.Hosting;
using VmNet.ServiceDefaults;

namespace VmNet.Trainer;

/// <summary>Registers the trainer role.</summary>
public static class TrainerRole
{
    public static IHostApplicationBuilder AddTrainer(this IHostApplicationBuilder builder)
    {
        return builder;
    }

    /// <summary>The role's commands for <c>vmnet</c>.</summary>
    public static CliContribution Cli() => new();
}
