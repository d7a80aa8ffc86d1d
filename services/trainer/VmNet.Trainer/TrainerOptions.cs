using VmNet.Training;

namespace VmNet.Trainer;

/// <summary>The <c>Trainer</c> configuration section.</summary>
public sealed class TrainerOptions
{
    public const string Section = "Trainer";

    /// <summary>Network and training hyper-parameters (<c>Trainer:Training:MaxEpochs</c>, ...).</summary>
    public TrainingOptions Training { get; set; } = new();

    /// <summary>How far below the live model's validation R@10 a candidate may be and still be published.</summary>
    public double Tolerance { get; set; } = 0.01;

    /// <summary>Retrain once this many pairs arrived since the newest model was trained; 0 turns it off.</summary>
    public int EveryNewPairs { get; set; }

    /// <summary>Retrain when the newest model is this many hours old; 0 turns it off.</summary>
    public double EveryHours { get; set; }

    /// <summary>How often the schedule looks at the catalogue.</summary>
    public TimeSpan ScheduleCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The schedule does not start a first training before this many pairs exist.</summary>
    public int MinPairs { get; set; } = 50;
}
