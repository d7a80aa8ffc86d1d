using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Trainer;

/// <summary>
/// Asks for a training every <see cref="TrainerOptions.EveryNewPairs"/> new pairs or every
/// <see cref="TrainerOptions.EveryHours"/> hours, measured from the newest model folder (published or not), so
/// a restart does not forget when it last trained.
/// </summary>
internal sealed partial class RetrainSchedule(
    TrainingCoordinator coordinator, IFeatureCatalogue catalogue, ModelRegistry registry, IOptions<TrainerOptions> options,
    TimeProvider time, ILogger<RetrainSchedule> logger) : BackgroundService
{
    /// <summary>Why a training is due now, or null. Pure, for tests.</summary>
    public static string? Due(TrainerOptions options, int pairs, ModelManifest? newest, DateTimeOffset now)
    {
        if (newest is null)
        {
            return (options.EveryNewPairs > 0 || options.EveryHours > 0) && pairs >= options.MinPairs ? $"first model: {pairs} pairs" : null;
        }

        var trainedOn = (int)(newest.Metrics.GetValueOrDefault("trainPairs") + newest.Metrics.GetValueOrDefault("valPairs") + newest.Metrics.GetValueOrDefault("testPairs"));
        if (options.EveryNewPairs > 0 && pairs - trainedOn >= options.EveryNewPairs)
        {
            return $"{pairs - trainedOn} new pairs since {newest.Version}";
        }

        return options.EveryHours > 0 && now - newest.CreatedAt >= TimeSpan.FromHours(options.EveryHours)
            ? $"{newest.Version} is older than {options.EveryHours} h"
            : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.EveryNewPairs <= 0 && settings.EveryHours <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.ScheduleCheckInterval, time);
        do
        {
            if (coordinator.IsTraining)
            {
                continue;
            }

            try
            {
                var pairs = await catalogue.CountAsync(MediaKind.Pair, stoppingToken);
                var reason = Due(settings, pairs, registry.List().LastOrDefault(), time.GetUtcNow());
                if (reason is not null)
                {
                    LogDue(reason);
                    coordinator.Request(new RetrainRequested(Guid.NewGuid(), "schedule", reason, time.GetUtcNow()));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogCheckFailed(e, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(8020, LogLevel.Information, "Scheduled retraining: {Reason}")]
    private partial void LogDue(string reason);

    [LoggerMessage(8021, LogLevel.Warning, "Retrain schedule check failed: {Reason}")]
    private partial void LogCheckFailed(Exception exception, string reason);
}
