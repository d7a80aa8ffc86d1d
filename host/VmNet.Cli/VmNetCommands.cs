using System.CommandLine;
using VmNet.AudioFeatures.Service;
using VmNet.Corpus;
using VmNet.Embedder;
using VmNet.Search;
using VmNet.ServiceDefaults;
using VmNet.Trainer;
using VmNet.VideoFeatures.Service;

namespace VmNet.Cli;

/// <summary>The command tree: the host's own commands plus what each service contributes.</summary>
public static class VmNetCommands
{
    public static RootCommand Build()
    {
        var root = new RootCommand("VM-NET content-based video–music retrieval: ingest, features, embedding, search, training.");
        root.Options.Add(CommonOptions.Data);
        root.Options.Add(CommonOptions.Transport);
        root.Options.Add(CommonOptions.RabbitMq);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(IngestCommand.Create());

        var features = new Command("features", "Compute a file's features locally, without the bus.");
        var bench = new Command("bench", "Benchmarks, reported as ratios against a baseline measured in the same run.");
        CliContribution[] contributions =
        [
            AudioFeaturesRole.Cli(), VideoFeaturesRole.Cli(), EmbedderRole.Cli(), SearchRole.Cli(), TrainerRole.Cli(), CorpusCli.Cli(),
            HostCli.Cli(),
        ];
        foreach (var contribution in contributions)
        {
            foreach (var command in contribution.TopLevel ?? [])
            {
                root.Subcommands.Add(command);
            }

            foreach (var command in contribution.Features ?? [])
            {
                features.Subcommands.Add(command);
            }

            foreach (var command in contribution.Bench ?? [])
            {
                bench.Subcommands.Add(command);
            }
        }

        if (features.Subcommands.Count > 0)
        {
            root.Subcommands.Add(features);
        }

        if (bench.Subcommands.Count > 0)
        {
            root.Subcommands.Add(bench);
        }

        return root;
    }
}
