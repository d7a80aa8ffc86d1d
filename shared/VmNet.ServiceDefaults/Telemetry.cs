using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace VmNet.ServiceDefaults;

/// <summary>The project's own activity source and meter; roles add spans and instruments under these names.</summary>
public static class Telemetry
{
    public const string ActivitySourceName = "VmNet";
    public const string MeterName = "VmNet";

    public static ActivitySource ActivitySource { get; } = new(ActivitySourceName);

    public static Meter Meter { get; } = new(MeterName);
}
