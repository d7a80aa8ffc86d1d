namespace VmNet.Training;

/// <summary>The gate's verdict on a candidate, with both figures.</summary>
public sealed record GateDecision(bool Publish, double Candidate, double? Live, string? LiveVersion, double Tolerance, string Reason);

/// <summary>
/// Publish unless the candidate's validation R@10 (mean of both directions) is below the live model's by more than
/// the tolerance. The first model always passes.
/// </summary>
public static class ModelGate
{
    public static GateDecision Decide(double candidate, double? live, string? liveVersion, double tolerance)
    {
        if (live is null)
        {
            return new GateDecision(true, candidate, null, null, tolerance, "no live model yet");
        }

        var publish = candidate >= live.Value - tolerance;
        var reason = publish
            ? $"validation R@10 {candidate:0.####} is within {tolerance:0.####} of or above the live model {liveVersion}'s {live:0.####}"
            : $"validation R@10 {candidate:0.####} is below the live model {liveVersion}'s {live:0.####} by more than {tolerance:0.####}";
        return new GateDecision(publish, candidate, live, liveVersion, tolerance, reason);
    }
}
