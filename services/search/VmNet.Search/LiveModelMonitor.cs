using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VmNet.Catalogue;

namespace VmNet.Search;

/// <summary>The live model as last observed: its version (null before any), manifest and when it was seen.</summary>
internal sealed record LiveModel(string? Version, ModelManifest? Manifest, DateTimeOffset ObservedAt);

/// <summary>
/// Follows the store's live generation (the embedder flips it, possibly in another process): preloads the new model
/// so the first query after a swap does not pay for loading it, unloads old ones, and wakes <c>WatchModel</c> callers.
/// The embedder's <c>ModelActivated</c> makes it look at once (<see cref="RefreshAsync"/>); the slow poll of
/// <see cref="SearchOptions.ModelPollInterval"/> only catches a flip whose event never arrived.
/// </summary>
internal sealed partial class LiveModelMonitor(
    IVectorStore store, ModelRegistry registry, ModelCache models, IOptions<SearchOptions> options, ILogger<LiveModelMonitor> logger)
    : BackgroundService
{
    private readonly Lock _gate = new();
    private LiveModel? _current;
    private string? _previous;
    private TaskCompletionSource<LiveModel> _changed = NewSignal();

    /// <summary>The live model now, as the store reads it (Qdrant's reading may be a few seconds old).</summary>
    public LiveModel Current => Observe(store.LiveGeneration);

    /// <summary>
    /// Reads the live generation from the store itself, past its cache, and acts on a change. Null when the read
    /// failed (logged): the next poll tries again.
    /// </summary>
    public async Task<LiveModel?> RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            return Observe(await store.ReadLiveGenerationAsync(cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPollFailed(e);
            return null;
        }
    }

    /// <summary>Completes with the live model once its version differs from <paramref name="known"/>.</summary>
    public async Task<LiveModel> WaitForChangeAsync(string? known, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<LiveModel> next;
            lock (_gate)
            {
                if (_current is { } current && current.Version != known)
                {
                    return current;
                }

                next = _changed.Task;
            }

            await next.WaitAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await Task.Delay(options.Value.ModelPollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private LiveModel Observe(string? version)
    {
        lock (_gate)
        {
            if (_current is { } current && current.Version == version)
            {
                return current;
            }
        }

        var manifest = version is null ? null : registry.Find(version);
        var observed = new LiveModel(version, manifest, DateTimeOffset.UtcNow);
        TaskCompletionSource<LiveModel> signal;
        lock (_gate)
        {
            if (_current is { } raced && raced.Version == version)
            {
                return raced;
            }

            _previous = _current?.Version;
            _current = observed;
            signal = _changed;
            _changed = NewSignal();
        }

        LogLiveChanged(_previous ?? "(none)", version ?? "(none)");
        if (version is not null)
        {
            Preload(version);
            models.RetainOnly([.. new[] { version, _previous }.OfType<string>()]);
        }

        signal.TrySetResult(observed);
        return observed;
    }

    private void Preload(string version)
    {
        try
        {
            models.Get(version);
        }
        catch (Exception e) when (e is SearchFailedException or IOException or InvalidDataException or InvalidOperationException or ArgumentException)
        {
            LogPreloadFailed(version, e.Message);
        }
    }

    private static TaskCompletionSource<LiveModel> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(5020, LogLevel.Information, "Live model is now {Version} (was {Previous})")]
    private partial void LogLiveChanged(string previous, string version);

    [LoggerMessage(5021, LogLevel.Warning, "Could not preload model {Version}: {Reason}")]
    private partial void LogPreloadFailed(string version, string reason);

    [LoggerMessage(5022, LogLevel.Warning, "Reading the live model failed")]
    private partial void LogPollFailed(Exception exception);
}
