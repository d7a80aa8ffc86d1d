using VmNet.Training;

namespace VmNet.Demo;

/// <summary>Seconds each stage took, in run order.</summary>
public sealed record StageTimes(
    double Generate, double Ingest, double Features, double Train, double Embed, double Eval, double Uploads, double Queries, double Report)
{
    public double Total => Generate + Ingest + Features + Train + Embed + Eval + Uploads + Queries + Report;
}

/// <summary>One trained model's held-out figures and its training history.</summary>
public sealed record ModelFigures(string Name, string? Version, RecallReport Test, IReadOnlyList<EpochReport> History, int BestEpoch);

/// <summary>A video-only upload and the soundtracks the live model suggested for it.</summary>
public sealed record UploadSuggestion(string File, string MediaId, string? Style, string ModelVersion, IReadOnlyList<SuggestionEntry> Tracks);

public sealed record SuggestionEntry(string MediaId, string? File, string? Style, float Score);

/// <summary>One example gRPC query for a test pair: where its own partner ranked and what came first.</summary>
public sealed record QueryExample(
    string Direction, string File, string MediaId, string? Style, string ModelVersion, int? PartnerRank, IReadOnlyList<SuggestionEntry> Top);

/// <summary>Everything one demo run measured.</summary>
public sealed record DemoResult(
    string DataDirectory,
    string CorpusDirectory,
    bool GeneratedCorpus,
    int Seed,
    int Pairs,
    int TrainPairs,
    int ValidationPairs,
    int TestPairs,
    int Failed,
    ModelFigures Combined,
    ModelFigures InterOnly,
    RecallReport Chance,
    StageTimes Stages,
    IReadOnlyList<UploadSuggestion> Uploads,
    IReadOnlyList<QueryExample> Queries,
    string ReportPath);
