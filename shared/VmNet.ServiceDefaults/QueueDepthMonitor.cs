using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace VmNet.ServiceDefaults;

/// <summary>The receive queues this process consumes from, as the bus configures them.</summary>
public sealed class ConsumedQueues
{
    private readonly ConcurrentDictionary<string, byte> _names = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => [.. _names.Keys.Order(StringComparer.Ordinal)];

    public void Add(string queue) => _names.TryAdd(queue, 0);
}

/// <summary>
/// Queue depths as metrics on RabbitMQ: every <see cref="Interval"/> the ready messages and consumers of each queue
/// this process consumes from, and of its <c>_error</c> queue, read with a passive declare (no management plugin),
/// become the gauges <c>vmnet.queue.depth</c> and <c>vmnet.queue.consumers</c>, tagged <c>queue</c>. Processing
/// rates are MassTransit's own meter (<c>messaging.masstransit.consume</c> and its duration). The in-memory bus has
/// no broker queue to read, so this runs on RabbitMQ only.
/// </summary>
public sealed partial class QueueDepthMonitor : BackgroundService
{
    public const string DepthInstrument = "vmnet.queue.depth";
    public const string ConsumersInstrument = "vmnet.queue.consumers";

    private readonly ConcurrentDictionary<string, (long Messages, long Consumers)> _last = new(StringComparer.Ordinal);
    private readonly ConsumedQueues _queues;
    private readonly BusOptions _options;
    private readonly ILogger<QueueDepthMonitor> _logger;

    public QueueDepthMonitor(ConsumedQueues queues, IOptions<BusOptions> options, ILogger<QueueDepthMonitor> logger)
    {
        _queues = queues;
        _options = options.Value;
        _logger = logger;
        Telemetry.Meter.CreateObservableGauge(DepthInstrument, () => Measure(d => d.Messages), "{message}", "Messages ready in a queue this process consumes");
        Telemetry.Meter.CreateObservableGauge(ConsumersInstrument, () => Measure(d => d.Consumers), "{consumer}", "Consumers attached to the queue");
    }

    /// <summary>How often the depths are read.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>The last depths read, by queue name.</summary>
    public IReadOnlyDictionary<string, (long Messages, long Consumers)> Last => _last;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var (address, user, password) = _options.RabbitMq.Resolve();
        var factory = new ConnectionFactory
        {
            HostName = address.Host,
            Port = address.Port,
            VirtualHost = address.AbsolutePath.Length > 1 ? Uri.UnescapeDataString(address.AbsolutePath[1..]) : "/",
            UserName = user,
            Password = password,
            ClientProvidedName = "vmnet-queue-depth",
        };
        using var timer = new PeriodicTimer(Interval);
        IConnection? connection = null;
        try
        {
            do
            {
                try
                {
                    connection ??= await factory.CreateConnectionAsync(stoppingToken);
                    await ReadAsync(connection, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // The broker is away (restart, network) or refused: metrics must never stop the host; the bus
                    // reconnects on its own, and the next tick tries again on a fresh connection.
                    LogUnreachable(_logger, e.Message);
                    connection?.Dispose();
                    connection = null;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private async Task ReadAsync(IConnection connection, CancellationToken cancellationToken)
    {
        foreach (var queue in _queues.Names.SelectMany(q => new[] { q, q + "_error" }))
        {
            // A passive declare of a missing queue closes the channel: one channel per read.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            try
            {
                var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
                _last[queue] = (ok.MessageCount, ok.ConsumerCount);
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                // Not there (an _error queue before its first fault).
                _last.TryRemove(queue, out _);
            }
        }
    }

    private IEnumerable<Measurement<long>> Measure(Func<(long Messages, long Consumers), long> pick) =>
        _last.Select(kv => new Measurement<long>(pick(kv.Value), new KeyValuePair<string, object?>("queue", kv.Key)));

    [LoggerMessage(1900, LogLevel.Debug, "Queue depths unavailable: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string reason);
}
