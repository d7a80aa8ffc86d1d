using System.Diagnostics;

namespace VmNet.AudioFeatures;

/// <summary>Accumulates wall time per named stage (decode, hpss, cqt, …) for the benchmark.</summary>
public sealed class StageTimer
{
    private readonly Dictionary<string, long> _ticks = [];
    private readonly Lock _lock = new();

    public IReadOnlyDictionary<string, TimeSpan> Totals
    {
        get
        {
            lock (_lock)
            {
                return _ticks.ToDictionary(p => p.Key, p => Stopwatch.GetElapsedTime(0, p.Value));
            }
        }
    }

    public void Add(string stage, long startTimestamp)
    {
        var elapsed = Stopwatch.GetTimestamp() - startTimestamp;
        lock (_lock)
        {
            _ticks[stage] = _ticks.GetValueOrDefault(stage) + elapsed;
        }
    }
}
