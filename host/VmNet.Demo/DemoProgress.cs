using Spectre.Console;
using VmNet.Commands;

namespace VmNet.Demo;

/// <summary>A count towards a total that a stage advances from any thread.</summary>
public sealed class ProgressCounter(string label, int total)
{
    private int _done;

    public string Label { get; } = label;

    public int Total { get; set; } = total;

    public int Done => Volatile.Read(ref _done);

    public string? Detail { get; set; }

    public void Increment() => Interlocked.Increment(ref _done);

    public void Set(int done) => Volatile.Write(ref _done, done);
}

/// <summary>Where the demo tells people how it is going: bars in a terminal, plain lines in logs and pipes.</summary>
public interface IDemoProgress
{
    /// <summary>A line of its own (a stage's outcome).</summary>
    void Line(string text);

    /// <summary>Shows <paramref name="counters"/> until <paramref name="work"/> ends, then returns its result.</summary>
    Task<T> TrackAsync<T>(IReadOnlyList<ProgressCounter> counters, Task<T> work);
}

/// <summary>Spectre progress bars on the console.</summary>
public sealed class ConsoleDemoProgress : IDemoProgress
{
    public void Line(string text) => Terminal.Stderr.MarkupLine(Markup.Escape(text));

    public async Task<T> TrackAsync<T>(IReadOnlyList<ProgressCounter> counters, Task<T> work)
    {
        await Terminal.Stderr.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var tasks = counters.Select(c => context.AddTask(Markup.Escape(c.Label), maxValue: Math.Max(1, c.Total))).ToList();
                void Update()
                {
                    for (var i = 0; i < counters.Count; i++)
                    {
                        tasks[i].MaxValue = Math.Max(1, counters[i].Total);
                        tasks[i].Value = counters[i].Done;
                        tasks[i].Description = Markup.Escape(counters[i].Detail is { } d ? $"{counters[i].Label} {d}" : counters[i].Label);
                    }
                }

                while (!work.IsCompleted)
                {
                    Update();
                    await Task.WhenAny(work, Task.Delay(200));
                }

                Update();
            });
        return await work;
    }
}

/// <summary>Plain lines: each counter at every tenth of its total, for logs, pipes and <c>--json</c> (on stderr).</summary>
public sealed class PlainDemoProgress(TextWriter output) : IDemoProgress
{
    public void Line(string text) => output.WriteLine(text);

    public async Task<T> TrackAsync<T>(IReadOnlyList<ProgressCounter> counters, Task<T> work)
    {
        var reported = counters.Select(_ => -1).ToArray();
        void Update()
        {
            for (var i = 0; i < counters.Count; i++)
            {
                var c = counters[i];
                var tenth = c.Total <= 0 ? 10 : Math.Min(10, c.Done * 10 / c.Total);
                if (tenth > reported[i])
                {
                    reported[i] = tenth;
                    output.WriteLine($"{c.Label}: {c.Done}/{c.Total}{(c.Detail is { } d ? " " + d : string.Empty)}");
                }
            }
        }

        while (!work.IsCompleted)
        {
            Update();
            await Task.WhenAny(work, Task.Delay(500));
        }

        Update();
        return await work;
    }
}
