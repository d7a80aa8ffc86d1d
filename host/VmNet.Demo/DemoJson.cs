using System.Text.Json;
using System.Text.Json.Nodes;
using VmNet.Training;
using VmNet.Commands;

namespace VmNet.Demo;

/// <summary>
/// The machine-readable figures (<c>vmnet demo --json</c> and <c>report/results.json</c>): the shape
/// <c>{"pairs","testPairs","models":{"combined":{"videoToMusic","musicToVideo"},"interOnly":{..}},"stages":{..}}</c>
/// plus the CCA and chance baselines, split sizes and ids, the uploads' suggestions and the example queries. Every
/// direction object carries <c>"sd"</c> beside its figures: the standard deviation over <c>seeds</c> trainings
/// (0 with one seed, and always 0 for the deterministic baselines), so the shape does not depend on --seeds.
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
        ["seeds"] = r.Seeds,
        ["models"] = new JsonObject
        {
            ["combined"] = Model(r.Combined),
            ["interOnly"] = Model(r.InterOnly),
        },
        ["cca"] = Cca(r.Cca),
        ["chance"] = RecallSpread.Of([r.Chance]).ToJson(),
        ["split"] = new JsonObject
        {
            ["train"] = Ids(r.Split.Train),
            ["validation"] = Ids(r.Split.Validation),
            ["test"] = Ids(r.Split.Test),
        },
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
        var json = m.Spread.ToJson();
        if (m.Version is not null)
        {
            json["version"] = m.Version;
        }

        json["bestEpoch"] = m.BestEpoch;
        json["epochs"] = m.History.Count;
        return json;
    }

    private static JsonObject Cca(CcaFigures cca)
    {
        var json = RecallSpread.Of([cca.Test]).ToJson();
        json["components"] = cca.Components;
        json["pcaDims"] = new JsonObject { ["music"] = cca.MusicPcaDims, ["video"] = cca.VideoPcaDims };
        json["regularisation"] = cca.Regularisation;
        return json;
    }

    private static JsonArray Ids(IReadOnlyList<string> ids) => [.. ids.Select(id => (JsonNode)JsonValue.Create(id))];
}
