using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using VmNet.Commands;
using VmNet.Search;
using VmNet.Search.Client;

namespace VmNet.Cli;

/// <summary><c>vmnet preview --video FILE | --video-id ID --track ID --out FILE.mp4</c>: a video with a catalogue track as its soundtrack, rendered by a running search role.</summary>
public static class PreviewCommand
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static Command Create()
    {
        var video = new Option<FileInfo?>("--video") { Description = "Upload this video file as the picture" };
        var videoId = new Option<string?>("--video-id") { Description = "Use this catalogue video as the picture" };
        var track = new Option<string>("--track") { Description = "Catalogue id of the music track", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the MP4", Required = true };
        var server = new Option<string?>("--server") { Description = "Search gRPC address (default: Search:GrpcUrl, http://127.0.0.1:5081)" };
        var apiKey = new Option<string?>("--api-key") { Description = "Query API key (default: $VMNET_SEARCH_API_KEY), when the server requires one" };
        var command = new Command("preview", "Hear a track on a picture: the video with the track fitted to its length (beats, fades, loops), as an MP4.")
        {
            video, videoId, track, output, server, apiKey,
        };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(video) is null) == (r.GetValue(videoId) is null))
            {
                r.AddError("give exactly one of --video FILE or --video-id ID");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var context = CommandContext.From(parse);
            var address = parse.GetValue(server) ?? context.Section<SearchOptions>(SearchOptions.Section).GrpcUrl;
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--server must be an http:// or https:// address, not '{address}'");
            }

            var videoPath = parse.GetValue(video) is { } v ? InputFiles.Existing(v.FullName) : null;
            var target = parse.GetValue(output)!.FullName;
            var partial = target + ".partial";
            using var client = new SearchClient(uri, parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("VMNET_SEARCH_API_KEY"));
            Search.V1.PreviewInfo info;
            try
            {
                await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    info = await client.RenderPreviewAsync(parse.GetValue(track)!, videoPath, parse.GetValue(videoId), file, ct);
                }

                File.Move(partial, target, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }

            Console.WriteLine(context.Json ? Json.Format(info) : string.Create(CultureInfo.InvariantCulture,
                $"{target}: {info.VideoSeconds:0.00} s, track {info.TrackId} from {info.TrackStartSeconds:0.00} s{(info.Looped ? " (looped)" : string.Empty)}{(info.HasTempoBpm ? $", {info.TempoBpm:0} BPM" : string.Empty)}, {info.SizeBytes} bytes"));
            return 0;
        });
        return command;
    }
}
