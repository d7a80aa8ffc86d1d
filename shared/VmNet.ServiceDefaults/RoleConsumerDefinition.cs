using MassTransit;
using Microsoft.Extensions.Options;

namespace VmNet.ServiceDefaults;

/// <summary>
/// Retry, redelivery, outbox and concurrency for a role's consumer, from <see cref="BusOptions"/>.
/// A message that still fails goes to the endpoint's <c>_error</c> queue with its exception: never acked and lost.
/// </summary>
public abstract class RoleConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    private readonly BusOptions _options;
    private readonly string _queue;

    protected RoleConsumerDefinition(string role, IOptions<BusOptions> options)
    {
        _options = options.Value;
        ConcurrentMessageLimit = _options.ConcurrencyFor(role);

        // Queues are named for the role that owns them (audio-features-media-ingested, not media-ingested), so an
        // operator reading the broker sees whose queue and whose _error queue it is.
        var consumer = KebabCaseEndpointNameFormatter.Instance.Consumer<TConsumer>();
        _queue = consumer.StartsWith(role, StringComparison.Ordinal) ? consumer : $"{role}-{consumer}";
        EndpointName = _queue;
    }

    /// <summary>
    /// Gives the consumer a temporary queue of this process's own (<c>role-consumer-INSTANCE</c>, removed when the
    /// process stops), so every process running the role gets each message instead of competing for it. Call it from
    /// the derived constructor.
    /// </summary>
    protected void UseQueuePerProcess()
    {
        // Named here, not with the endpoint's InstanceId: MassTransit takes a definition's EndpointName over the
        // endpoint settings' name, instance id included, which would leave every process on one shared queue.
        EndpointName = $"{_queue}-{Guid.NewGuid().ToString("N")[..12]}";
        Endpoint(e => e.Temporary = true);
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // MassTransit places it inside the retry and the outbox, whatever the order here (see DeliveryLedgerFilter).
        if (_options.DeliveryLedger)
        {
            endpointConfigurator.UseConsumeFilter(typeof(DeliveryLedgerFilter<>), context);
        }

        if (_options.RedeliveryEnabled)
        {
            endpointConfigurator.UseDelayedRedelivery(r => r.Intervals(
                TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)));
        }

        endpointConfigurator.UseMessageRetry(r => r.Exponential(
            _options.RetryLimit, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));

        // Messages a consumer publishes go out only when it succeeds, so a retried message publishes once.
        endpointConfigurator.UseInMemoryOutbox(context);
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = Math.Max(ConcurrentMessageLimit ?? 1, 1);
        }
    }
}
