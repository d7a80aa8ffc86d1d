using VmNet.Training;

namespace VmNet.Demo;

/// <summary>Seconds each stage took, in run order.</summary>
public sealed record StageTimes(
    double Generate, double Ingest, double Features, double Train, double Embed, double Eval, double Uploads, double Queries, double Report)
{
    public double Total => Generate + Ingest + Features + Train + Embed + Eval + Uploads + Queries + Report;
}

/// <summary>
/// One trained model's held-out figures: <paramref name="Test"/> and the history are the first seed's (the live model
/// for the combined loss); <paramref name="Spread"/> is the mean and sd over all seeds.
/// </summary>
public sealed record ModelFigures(string Name, string? Version, RecallReport Test, IReadOnlyList<EpochReport> History, int BestEpoch, RecallSpread Spread);

/// <summary>The linear CCA baseline's held-out figures and how it was fitted.</summary>
public sealed record CcaFigures(RecallReport Test, int Components, int MusicPcaDims, int VideoPcaDims, double Regularisation);

/// <summary>Media ids of each split part, so a run's figures can be reproduced or compared on the same pairs.</summary>
public sealed record SplitIds(IReadOnlyList<string> Train, IReadOnlyList<string> Validation, IReadOnlyList<string> Test);

/// <summary>A video-only upload and the soundtracks the live model suggested for it.</summary>
public sealed record UploadSuggestion(string File, string MediaId, string? Style, string ModelVersion, IReadOnlyList<SuggestionEntry> Tracks);

/// <summary>
/// One ranked item: its file and style as the demo knows them, and who the catalogue says it is (title and artist from
/// the file's tags, the external id and labels the demo gave at ingest).
/// </summary>
public sealed record SuggestionEntry(
    string MediaId, string? File, string? Style, float Score,
    string? Title = null, string? Artist = null, string? ExternalId = null, IReadOnlyDictionary<string, string>? Labels = null)
{
    /// <summary>"Title — Artist" when the file has tags, else the file name, else the media id.</summary>
    public string Name => Title is null ? File ?? MediaId : Artist is null ? Title : $"{Title} — {Artist}";
}

/// <summary>One example gRPC query for a test pair: where its own partner ranked and what came first.</summary>
public sealed record QueryExample(
    string Direction, string File, string MediaId, string? Style, string ModelVersion, int? PartnerRank, IReadOnlyList<SuggestionEntry> Top);

/// <summary>Everything one demo run measured.</summary>
public sealed record DemoResult(
    string DataDirectory,
    string CorpusDirectory,
    bool GeneratedCorpus,
    int Seed,
    int Seeds,
    int Pairs,
    int TrainPairs,
    int ValidationPairs,
    int TestPairs,
    int Failed,
    ModelFigures Combined,
    ModelFigures InterOnly,
    RecallReport Chance,
    CcaFigures Cca,
    SplitIds Split,
    StageTimes Stages,
    IReadOnlyList<UploadSuggestion> Uploads,
    IReadOnlyList<QueryExample> Queries,
    string ReportPath);
