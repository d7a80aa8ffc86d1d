using MassTransit;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.ServiceDefaults;

namespace VmNet.Embedder;

/// <summary>
/// <see cref="ModelPublished"/> builds and activates the new generation; <see cref="ModelActivationRequested"/>
/// re-activates an existing one. Either answers <see cref="ModelActivated"/> or <see cref="ModelActivationFailed"/>
/// (the old generation stays live). A failure is an answer, not a retry: re-embedding a catalogue is expensive and
/// a bad model stays bad. Its own endpoint, so features keep flowing during a rebuild.
/// </summary>
internal sealed class ModelConsumer(CatalogueEmbedder embedder, ModelRegistry registry, IVectorStore store)
    : IConsumer<ModelPublished>, IConsumer<ModelActivationRequested>
{
    public async Task Consume(ConsumeContext<ModelPublished> context)
    {
        var m = context.Message;
        string folder;
        try
        {
            folder = registry.Resolve(m.Location);
        }
        catch (Exception e) when (e is Media.UnsafePathException or ArgumentException)
        {
            await PublishAsync(context, new GenerationOutcome(m.ModelVersion, false, store.LiveGeneration, 0, $"model location refused: {e.Message}"), m.CorrelationId);
            return;
        }

        await PublishAsync(context, await embedder.BuildAndActivateAsync(m.ModelVersion, folder, context.CancellationToken), m.CorrelationId);
    }

    public async Task Consume(ConsumeContext<ModelActivationRequested> context) =>
        await PublishAsync(context, await embedder.ActivateExistingAsync(context.Message.ModelVersion, context.CancellationToken), context.Message.CorrelationId);

    private static Task PublishAsync(ConsumeContext context, GenerationOutcome outcome, Guid correlationId) =>
        outcome.Activated
            ? context.Publish(new ModelActivated(outcome.Version, correlationId, outcome.PreviousVersion, outcome.ItemsEmbedded, DateTimeOffset.UtcNow))
            : context.Publish(new ModelActivationFailed(outcome.Version, correlationId, outcome.PreviousVersion, outcome.Reason ?? "unknown", DateTimeOffset.UtcNow));
}

internal sealed class ModelConsumerDefinition : RoleConsumerDefinition<ModelConsumer>
{
    public ModelConsumerDefinition(IOptions<BusOptions> options)
        : base(EmbedderRole.Name, options)
    {
        // Rebuilds are serialised anyway; one at a time keeps the order of publish/activate requests.
        ConcurrentMessageLimit = 1;
    }
}
