using System.Text.Json;
using System.Text.Json.Nodes;
using VmNet.Training;
using VmNet.Commands;

namespace VmNet.Demo;

/// <summary>
/// The machine-readable figures (<c>vmnet demo --json</c> and <c>report/results.json</c>): the shape
/// <c>{"pairs","testPairs","models":{"combined":{"videoToMusic","musicToVideo"},"interOnly":{..}},"stages":{..}}</c>
/// plus chance figures, split sizes, the uploads' suggestions and the example queries.
/// </summary>
public static class DemoJson
{
    public static JsonObject From(DemoResult r) => new()
    {
        ["pairs"] = r.Pairs,
        ["testPairs"] = r.TestPairs,
        ["trainPairs"] = r.TrainPairs,
        ["validationPairs"] = r.ValidationPairs,
        ["failed"] = r.Failed,
        ["seed"] = r.Seed,
        ["models"] = new JsonObject
        {
            ["combined"] = Model(r.Combined),
            ["interOnly"] = Model(r.InterOnly),
        },
        ["chance"] = Directions(r.Chance),
        ["stages"] = new JsonObject
        {
            ["generate"] = r.Stages.Generate,
            ["ingest"] = r.Stages.Ingest,
            ["features"] = r.Stages.Features,
            ["train"] = r.Stages.Train,
            ["embed"] = r.Stages.Embed,
            ["eval"] = r.Stages.Eval,
            ["uploads"] = r.Stages.Uploads,
            ["queries"] = r.Stages.Queries,
            ["report"] = r.Stages.Report,
            ["total"] = Math.Round(r.Stages.Total, 2),
        },
        ["uploads"] = JsonSerializer.SerializeToNode(r.Uploads, CliJson.Options),
        ["queries"] = JsonSerializer.SerializeToNode(r.Queries, CliJson.Options),
        ["corpus"] = r.CorpusDirectory,
        ["generatedCorpus"] = r.GeneratedCorpus,
        ["report"] = r.ReportPath,
    };

    private static JsonObject Model(ModelFigures m)
    {
        var json = Directions(m.Test);
        if (m.Version is not null)
        {
            json["version"] = m.Version;
        }

        json["bestEpoch"] = m.BestEpoch;
        json["epochs"] = m.History.Count;
        return json;
    }

    private static JsonObject Directions(RecallReport report) => new()
    {
        ["videoToMusic"] = report.VideoToMusic.ToJson(),
        ["musicToVideo"] = report.MusicToVideo.ToJson(),
    };
}
