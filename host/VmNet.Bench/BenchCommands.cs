using System.CommandLine;

namespace VmNet.Bench;

/// <summary><c>vmnet bench ...</c>: every benchmark, each reported against a baseline measured in the same run.</summary>
public static class BenchCommands
{
    public static Command Create() => new("bench", "Benchmarks, reported as ratios against a baseline measured in the same run.")
    {
        AudioBench.Create(), VideoBench.Create(), StoreBenchCommand.Create(), SearchBench.Create(), TrainingBench.Create(), TuneBench.Create(), PipelineBenchCommand.Create(), SoakBenchCommand.Create(),
    };
}
