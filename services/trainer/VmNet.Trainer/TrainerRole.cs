using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using VmNet.Catalogue;
using VmNet.Media;
using VmNet.ServiceDefaults;
using VmNet.VectorStore;

namespace VmNet.Trainer;

/// <summary>Registers the trainer role.</summary>
public static class TrainerRole
{
    public static IHostApplicationBuilder AddTrainer(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<TrainerOptions>(builder.Configuration.GetSection(TrainerOptions.Section));
        AddTrainerStores(builder.Services);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TrainingCoordinator>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TrainingCoordinator>());
        builder.Services.AddHostedService<RetrainSchedule>();
        builder.Services.AddRoleConsumers(Role.Trainer, bus => bus.AddConsumer<RetrainRequestedConsumer>(typeof(RetrainRequestedConsumerDefinition)));
        return builder;
    }

    /// <summary>The catalogue (SQLite in the data dir, unless another role registered one) and the model folders.</summary>
    internal static void AddTrainerStores(IServiceCollection services)
    {
        services.TryAddSingleton<IFeatureCatalogue>(sp => new SqliteFeatureCatalogue(sp.GetRequiredService<DataDirectory>()));
        services.TryAddSingleton(sp => new ModelRegistry(sp.GetRequiredService<DataDirectory>()));
    }

    /// <summary>The role's commands for <c>vmnet</c>.</summary>
    public static CliContribution Cli() => new(TopLevel: [TrainerCli.Train(), TrainerCli.Eval()], Bench: [TrainerCli.BenchTrain()]);
}
