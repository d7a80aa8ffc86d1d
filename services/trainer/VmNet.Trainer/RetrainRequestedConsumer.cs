using MassTransit;
using Microsoft.Extensions.Options;
using VmNet.Contracts;
using VmNet.ServiceDefaults;

namespace VmNet.Trainer;

/// <summary>Hands a <see cref="RetrainRequested"/> to the coordinator and acks at once; the outcome is published later.</summary>
internal sealed class RetrainRequestedConsumer(TrainingCoordinator coordinator) : IConsumer<RetrainRequested>
{
    public Task Consume(ConsumeContext<RetrainRequested> context)
    {
        coordinator.Request(context.Message);
        return Task.CompletedTask;
    }
}

internal sealed class RetrainRequestedConsumerDefinition(IOptions<BusOptions> options)
    : RoleConsumerDefinition<RetrainRequestedConsumer>(TrainerRole.Name, options);
