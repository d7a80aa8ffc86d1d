using MassTransit;
using Microsoft.Extensions.Options;
using VmNet.Contracts;
using VmNet.ServiceDefaults;

namespace VmNet.Search;

/// <summary><see cref="MediaEmbedded"/> of a video-only upload → <see cref="SoundtrackSuggested"/>.</summary>
internal sealed class MediaEmbeddedConsumer(SoundtrackTagger tagger) : IConsumer<MediaEmbedded>
{
    public async Task Consume(ConsumeContext<MediaEmbedded> context)
    {
        if (await tagger.SuggestAsync(context.Message, context.CancellationToken) is { } suggestion)
        {
            await context.Publish(suggestion);
        }
    }
}

internal sealed class MediaEmbeddedConsumerDefinition(IOptions<BusOptions> options)
    : RoleConsumerDefinition<MediaEmbeddedConsumer>(SearchRole.Name, options);
