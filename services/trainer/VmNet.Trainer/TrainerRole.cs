using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using VmNet.Catalogue;
using VmNet.Media;
using VmNet.ServiceDefaults;
using VmNet.Storage;

namespace VmNet.Trainer;

/// <summary>Registers the trainer role.</summary>
public static class TrainerRole
{
    /// <summary>The role's name: its queue prefix, its <c>Bus:Concurrency</c> key, its <c>--role</c> value.</summary>
    public const string Name = "trainer";

    /// <summary>How a host adds this role.</summary>
    public static RoleDescriptor Descriptor { get; } = new(
        Name,
        "trains VM-NET on the catalogue on a schedule or RetrainRequested, publishes models that pass the gate",
        b => b.AddTrainer());

    public static IHostApplicationBuilder AddTrainer(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<TrainerOptions>(builder.Configuration.GetSection(TrainerOptions.Section));
        builder.AddVmNetCatalogue();
        AddTrainerStores(builder.Services);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TrainingCoordinator>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TrainingCoordinator>());
        builder.Services.AddHostedService<RetrainSchedule>();
        builder.Services.AddRoleConsumers(Name, bus => bus.AddConsumer<RetrainRequestedConsumer>(typeof(RetrainRequestedConsumerDefinition)));
        return builder;
    }

    /// <summary>The model folders (the catalogue comes from <c>AddVmNetCatalogue</c>, unless another role registered one).</summary>
    internal static void AddTrainerStores(IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ModelRegistry(sp.GetRequiredService<DataDirectory>()));
        services.TryAddSingleton(sp => new TrainerJournal(sp.GetRequiredService<DataDirectory>()));
    }

}
