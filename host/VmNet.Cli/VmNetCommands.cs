using System.CommandLine;
using VmNet.Bench;
using VmNet.Commands;
using VmNet.Demo;

namespace VmNet.Cli;

/// <summary>The command tree of <c>vmnet</c>, written once.</summary>
public static class VmNetCommands
{
    public static RootCommand Build()
    {
        var root = new RootCommand("VM-NET content-based video–music retrieval: ingest, features, embedding, search, training.");
        root.Options.Add(CliOptions.Data);
        root.Options.Add(CliOptions.Transport);
        root.Options.Add(CliOptions.RabbitMq);
        root.Options.Add(CliOptions.Json);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(IngestCommand.Create());
        root.Subcommands.Add(SearchCommand.Create());
        root.Subcommands.Add(PreviewCommand.Create());
        root.Subcommands.Add(CatalogueCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(TrainCommands.Train());
        root.Subcommands.Add(TrainCommands.Eval());
        root.Subcommands.Add(CorpusCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(new Command("features", "Compute a file's features locally, without the bus.")
        {
            AudioFeaturesCommand.Create(), VideoFeaturesCommands.Video(), VideoFeaturesCommands.FitPca(),
        });
        root.Subcommands.Add(BenchCommands.Create());
        return root;
    }
}
