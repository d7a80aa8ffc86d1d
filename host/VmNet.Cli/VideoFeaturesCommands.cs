using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.ServiceDefaults;
using VmNet.VideoFeatures;
using VmNet.Commands;

namespace VmNet.Cli;

/// <summary><c>vmnet features video</c> and <c>vmnet features fit-video-pca</c>.</summary>
public static class VideoFeaturesCommands
{
    public static Command Video()
    {
        var file = new Argument<string>("file") { Description = "A video file (any container FFmpeg reads)" };
        var frameFeatures = new Option<bool>("--frame-features") { Description = "Also print the N×D per-frame CNN features" };
        var command = new Command(
            "video",
            "The video vector of a file: 1 frame/s (first 360 s) through the CNN, pooled (with the fitted PCA of --data, if any), L2-normalised.")
        {
            file, frameFeatures,
        };
        command.SetAction(async (parse, ct) =>
        {
            var context = CommandContext.From(parse);
            var path = InputFiles.Existing(parse.GetValue(file)!);
            var options = context.Section<VideoFeatureOptions>(VideoFeatureOptions.Section);
            var dataPath = context.DataPath;
            // Read-only use of the data dir: only look for a fitted PCA where one can exist.
            var store = Directory.Exists(dataPath) ? new VideoPcaStore(new DataDirectory(dataPath)) : null;
            using var extractor = new VideoFeatureExtractor(options, store);
            var result = await extractor.ExtractAsync(path, ct);

            var frames = parse.GetValue(frameFeatures)
                ? Enumerable.Range(0, result.Frames).Select(i => result.FrameFeatures.Row(i).ToArray()).ToList()
                : null;
            if (parse.GetValue(CliOptions.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(
                    new VideoJson(result.Dimension, result.Frames, result.Vector, result.ExtractorVersion, result.PcaVersion, result.Whitened,
                        result.Colour, extractor.Cnn.ExecutionProvider, result.Layout.Segments, frames),
                    CliJson.Options));
                return 0;
            }

            var c = result.Colour;
            Console.WriteLine($"{result.Frames} frames → {result.Dimension} values (extractor {result.ExtractorVersion}, PCA {result.PcaVersion ?? "not fitted"}, {extractor.Cnn.ExecutionProvider})");
            Console.WriteLine($"colour: R {c.MeanRed:0.000} G {c.MeanGreen:0.000} B {c.MeanBlue:0.000}, brightness {c.MeanBrightness:0.000} ± {c.BrightnessStd:0.000}, saturation {c.MeanSaturation:0.000}");
            foreach (var segment in result.Layout.Segments)
            {
                Console.WriteLine($"  [{segment.Start},{segment.Start + segment.Length}) {segment.Name}: {segment.Meaning}");
            }

            Console.WriteLine("vector[0..8]: " + string.Join(' ', result.Vector.Take(8).Select(v => v.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture))));
            foreach (var row in frames ?? [])
            {
                Console.WriteLine(string.Join(' ', row.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
            }

            return 0;
        });
        return command;
    }

    public static Command FitPca()
    {
        var kinds = new Option<string[]>("--kind")
        {
            Description = "Kinds of cached videos to fit on (repeatable): pair (default), video, music",
            DefaultValueFactory = _ => ["pair"],
            AllowMultipleArgumentsPerToken = true,
        };
        var wpcaDims = new Option<int?>("--wpca-dims") { Description = "Frame-level whitened PCA dimensions (default VideoFeatures:WpcaDimensions = 256)" };
        var pcaDims = new Option<int?>("--pca-dims") { Description = "Video vector dimensions after PCA (default VideoFeatures:PcaDimensions = 512)" };
        var republish = new Option<bool>("--republish")
        {
            Description = "Re-pool every cached video with the new PCA and publish VideoFeaturesExtracted on the RabbitMQ bus (needs --rabbitmq)",
        };
        var command = new Command(
            "fit-video-pca",
            "Fit the frame WPCA and the video PCA on the cached frame features of the data dir and make them current.")
        {
            kinds, wpcaDims, pcaDims, republish,
        };
        command.SetAction(async (parse, ct) =>
        {
            var context = CommandContext.From(parse);
            var options = context.Section<VideoFeatureOptions>(VideoFeatureOptions.Section);
            options.WpcaDimensions = parse.GetValue(wpcaDims) ?? options.WpcaDimensions;
            options.PcaDimensions = parse.GetValue(pcaDims) ?? options.PcaDimensions;
            var wanted = parse.GetValue(kinds)!.Select(k => Enum.TryParse<MediaKind>(k, ignoreCase: true, out var kind)
                ? kind
                : throw new ArgumentException($"--kind must be pair, video or music, not '{k}'")).ToHashSet();
            var data = context.Data;
            var cache = new VideoFeatureCache(data);
            var store = new VideoPcaStore(data);
            if (parse.GetValue(republish) && !context.OnRabbitMq)
            {
                throw new UsageException(
                    "--republish needs the RabbitMQ bus (--rabbitmq): on the in-memory bus nobody else would hear it; " +
                    "in the embedded mode, ingesting the sources again re-pools from the cached frames without decoding");
            }

            using var extractor = new VideoFeatureExtractor(options, store);
            VideoPca pca;
            try
            {
                pca = await new VideoPcaFitter(cache, store, options).FitAsync(extractor.ExtractorVersion, wanted, DateTimeOffset.UtcNow, ct);
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidOperationException($"fit-video-pca: {e.Message}", e);
            }

            var republished = parse.GetValue(republish) ? await RepublishAsync(context, cache, extractor, ct) : 0;
            if (parse.GetValue(CliOptions.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { pca.Manifest, republished }, CliJson.Options));
            }
            else
            {
                var m = pca.Manifest;
                Console.WriteLine($"video PCA {m.Version}: {m.Videos} videos, {m.Frames} frames; {m.FrameDimension} → WPCA {m.WpcaDimension} → pooled {m.PooledDimension} → PCA {m.OutputDimension}");
                Console.WriteLine(republished > 0
                    ? $"republished {republished} videos"
                    : "now current: new extractions use it; re-ingest (cached frames, no decoding) or --republish to re-pool earlier videos");
            }

            return 0;
        });
        return command;
    }

    // Publishes the re-pooled vector of every cached video of this extractor (all kinds) with its cached kind and duration.
    private static async Task<int> RepublishAsync(CommandContext context, VideoFeatureCache cache, VideoFeatureExtractor extractor, CancellationToken ct)
    {
        await using var host = context.BuildClient();
        await host.StartAsync(ct);
        var bus = host.Services.GetRequiredService<IBus>();
        var count = 0;
        await foreach (var video in cache.ListAsync(extractor.ExtractorVersion, ct))
        {
            var frames = await cache.TryReadAsync(video.MediaId, extractor.ExtractorVersion, ct);
            if (frames is null)
            {
                continue;
            }

            var result = extractor.Pool(frames);
            await bus.Publish(new VideoFeaturesExtracted(
                video.MediaId, Guid.NewGuid(), [.. result.Vector], result.Frames, result.ExtractorVersion, result.PcaVersion,
                result.Whitened, video.DurationSeconds, DateTimeOffset.UtcNow), ct);
            count++;
        }

        await host.StopAsync(CancellationToken.None);
        return count;
    }

    private sealed record VideoJson(
        int Dim,
        int Frames,
        float[] Vector,
        string ExtractorVersion,
        string? PcaVersion,
        bool Whitened,
        ColourStatistics Colour,
        string ExecutionProvider,
        IReadOnlyList<VectorSegment> Layout,
        IReadOnlyList<float[]>? FrameFeatures);
}
