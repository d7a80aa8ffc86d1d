using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using VmNet.Search;
using VmNet.Search.Client;
using VmNet.Search.V1;
using VmNet.Commands;
using VmNet.Media;

namespace VmNet.Cli;

/// <summary>
/// <c>vmnet search --video FILE | --music FILE | --id ID | --similar ID | --external-id X [--label k=v]... [--top K]
/// [--server URL] [--json]</c>: a gRPC client of a running search role.
/// </summary>
public static class SearchCommand
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static Command Create()
    {
        var video = new Option<FileInfo?>("--video") { Description = "Upload this video file and find music for it" };
        var music = new Option<FileInfo?>("--music") { Description = "Upload this music file and find videos for it" };
        var id = new Option<string?>("--id") { Description = "Query with a catalogue media id (see --find)" };
        var similar = new Option<string?>("--similar") { Description = "Find items like this catalogue media id in its own modality: tracks like a track, videos like a video" };
        var externalId = new Option<string?>("--external-id") { Description = "Like --similar, for the item the platform knows by this external id" };
        var find = new Option<string>("--find")
        {
            Description = "With --id: what to find, music (the id is a video) or videos (the id is a music track); "
                + "with --similar or --external-id: which half to start from (default: music when the item has some)",
            DefaultValueFactory = _ => "music",
        };
        find.AcceptOnlyFromAmong("music", "videos");
        var labels = new Option<string[]>("--label")
        {
            Description = "Only results with this label key=value (mood=calm); repeat to require several",
            AllowMultipleArgumentsPerToken = false,
        };
        var top = new Option<int>("--top") { Description = "Results wanted", DefaultValueFactory = _ => 10 };
        var server = new Option<string?>("--server") { Description = "Search gRPC address (default: Search:GrpcUrl, http://127.0.0.1:5081)" };
        var apiKey = new Option<string?>("--api-key") { Description = "Query API key (default: $VMNET_SEARCH_API_KEY), when the server requires one" };
        var caFile = new Option<FileInfo?>("--ca-file")
        {
            Description = "Trust this CA certificate (PEM) for the server's TLS certificate, e.g. a self-signed one (default: $VMNET_SEARCH_CA_FILE); implies https://",
        };
        var explain = new Option<bool>("--explain") { Description = "Show which feature blocks agree most for each result" };
        var minBpm = new Option<double?>("--min-bpm") { Description = "Only results with a tempo of at least this many BPM" };
        var maxBpm = new Option<double?>("--max-bpm") { Description = "Only results with a tempo of at most this many BPM" };
        var minSeconds = new Option<double?>("--min-duration") { Description = "Only results at least this many seconds long" };
        var maxSeconds = new Option<double?>("--max-duration") { Description = "Only results at most this many seconds long" };
        var command = new Command("search", "Find music for a video or videos for a music track on a running search service.")
        {
            video, music, id, similar, externalId, find, labels, top, server, apiKey, caFile, explain, minBpm, maxBpm, minSeconds, maxSeconds,
        };
        command.Validators.Add(r =>
        {
            var given = new object?[] { r.GetValue(video), r.GetValue(music), r.GetValue(id), r.GetValue(similar), r.GetValue(externalId) }.Count(g => g is not null);
            if (given != 1)
            {
                r.AddError("give exactly one of --video FILE, --music FILE, --id ID, --similar ID or --external-id X");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var filter = new Filter();
            if (parse.GetValue(minBpm) is { } a)
            {
                filter.MinTempoBpm = a;
            }

            if (parse.GetValue(maxBpm) is { } b)
            {
                filter.MaxTempoBpm = b;
            }

            if (parse.GetValue(minSeconds) is { } c)
            {
                filter.MinDurationSeconds = c;
            }

            if (parse.GetValue(maxSeconds) is { } d)
            {
                filter.MaxDurationSeconds = d;
            }

            // Checked here, before any connection: a bad label is one line, never a round trip.
            try
            {
                filter.Labels.AddRange((MediaLabels.Parse(parse.GetValue(labels) ?? []) ?? []).Select(l => $"{l.Key}={l.Value}"));
            }
            catch (FormatException e)
            {
                throw new UsageException(e.Message);
            }

            var options = new QueryOptions { TopK = parse.GetValue(top), Explain = parse.GetValue(explain), Filter = filter };
            var context = CommandContext.From(parse);
            var address = parse.GetValue(server) ?? context.Section<SearchOptions>(SearchOptions.Section).GrpcUrl;
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--server must be an http:// or https:// address, not '{address}'");
            }

            var ca = parse.GetValue(caFile)?.FullName ?? Environment.GetEnvironmentVariable("VMNET_SEARCH_CA_FILE");
            // A refused address (a key over h2c to another host, http:// with a CA) is an ArgumentException: one usage line.
            using var client = new SearchClient(
                uri,
                parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("VMNET_SEARCH_API_KEY"),
                new SearchClientOptions { CaFile = string.IsNullOrEmpty(ca) ? null : InputFiles.Existing(ca), RequireTls = !string.IsNullOrEmpty(ca) });
            // For similar items --find names the half to start from, only when given (else the server picks).
            var half = parse.GetResult(find) is { Implicit: false } ? (parse.GetValue(find) == "videos" ? Modality.Video : Modality.Music) : Modality.Unspecified;
            var reply = parse.GetValue(similar) is { } like ? await client.FindSimilarAsync(like, half, options, ct)
                : parse.GetValue(externalId) is { } external ? await client.FindSimilarByExternalIdAsync(external, half, options, ct)
                : parse.GetValue(video) is { } v ? await client.FindMusicForVideoFileAsync(InputFiles.Existing(v.FullName), options, ct)
                : parse.GetValue(music) is { } m ? await client.FindVideosForMusicFileAsync(InputFiles.Existing(m.FullName), options, ct)
                : parse.GetValue(find) == "videos" ? await client.FindVideosForMusicIdAsync(parse.GetValue(id)!, options, ct)
                : await client.FindMusicForVideoIdAsync(parse.GetValue(id)!, options, ct);
            Console.WriteLine(context.Json ? Json.Format(reply) : Describe(reply));
            return 0;
        });
        return command;
    }

    private static string Describe(SearchReply reply)
    {
        var lines = new List<string> { $"model {reply.ModelVersion}, {reply.Matches.Count} {(reply.Target == Modality.Music ? "tracks" : "videos")}:" };
        foreach (var (m, i) in reply.Matches.Select((m, i) => (m, i)))
        {
            var tempo = m.HasTempoBpm ? $" {m.TempoBpm:0} BPM" : string.Empty;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{i + 1,3}. {Name(m)}  {m.Score:0.0000}{About(m)}  {m.MediaId} {m.Kind} {m.DurationSeconds:0.0} s{tempo}"));
            foreach (var a in m.Explanation)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"       {a.Modality} {a.Block}: {a.Contribution:+0.0000;-0.0000}"));
            }
        }

        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>"Title — Artist" from the file's tags; the source (file name, URL, YouTube id) when it has none.</summary>
    internal static string Name(Match m)
    {
        var title = m.Title.Length > 0 ? m.Title : m.Source.Length > 0 ? m.Source : "(untitled)";
        return m.Artist.Length > 0 ? $"{title} — {m.Artist}" : title;
    }

    // Where it came from and the platform's id and labels, each only when known.
    private static string About(Match m)
    {
        var parts = new List<string>();
        if (m.Source.Length > 0 && m.Title.Length > 0)
        {
            parts.Add("source " + m.Source);
        }

        if (m.ExternalId.Length > 0)
        {
            parts.Add("external id " + m.ExternalId);
        }

        if (m.Labels.Count > 0)
        {
            parts.Add(string.Join(' ', m.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
        }

        return parts.Count == 0 ? string.Empty : "  " + string.Join(", ", parts);
    }
}
