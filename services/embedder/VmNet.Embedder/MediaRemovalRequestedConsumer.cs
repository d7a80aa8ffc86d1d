using MassTransit;
using Microsoft.Extensions.Options;
using VmNet.Contracts;
using VmNet.ServiceDefaults;

namespace VmNet.Embedder;

/// <summary>
/// <see cref="MediaRemovalRequested"/> → the embedder's part of the takedown (<see cref="MediaRemover"/>), then
/// <see cref="MediaPurged"/> for search to finish, or <see cref="MediaRemoved"/> at once when there is nothing to do.
/// A crash part-way leaves the message unacknowledged: its redelivery runs every step again.
/// </summary>
internal sealed class MediaRemovalRequestedConsumer(MediaRemover remover) : IConsumer<MediaRemovalRequested>
{
    public async Task Consume(ConsumeContext<MediaRemovalRequested> context)
    {
        switch (await remover.HandleAsync(context.Message, context.CancellationToken))
        {
            case MediaPurged purged:
                await context.Publish<MediaPurged>(purged);
                break;
            case MediaRemoved removed:
                await context.Publish<MediaRemoved>(removed);
                break;
        }
    }
}

internal sealed class MediaRemovalRequestedConsumerDefinition(IOptions<BusOptions> options)
    : RoleConsumerDefinition<MediaRemovalRequestedConsumer>(EmbedderRole.Name, options);
