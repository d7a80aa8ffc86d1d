using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Grpc.Core;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Hosting;
using VmNet.Ingest;
using VmNet.Media;
using VmNet.Search.Client;
using VmNet.Search.Grpc;
using VmNet.ServiceDefaults;
using VmNet.Testing;
using MediaKind = VmNet.Contracts.MediaKind;

namespace VmNet.Search.Tests;

/// <summary>Every ingest answer the all-in-one host published, as a consumer on its bus saw it.</summary>
public sealed class IngestAnswers
{
    public ConcurrentDictionary<Guid, object> ById { get; } = new();
}

public sealed class IngestAnswersConsumer(IngestAnswers answers) : IConsumer<MediaIngested>, IConsumer<IngestFailed>
{
    public Task Consume(ConsumeContext<MediaIngested> context)
    {
        answers.ById[context.Message.CorrelationId] = context.Message;
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<IngestFailed> context)
    {
        answers.ById[context.Message.CorrelationId] = context.Message;
        return Task.CompletedTask;
    }
}

/// <summary>
/// The hostile-input corpus (#13): inputs made here with FFmpeg and by hand (empty, truncated, random, lying headers,
/// 10 h, 8K frames, playlists, concat and SDP indirections, containers outside the allow-list, links out of the root,
/// a FIFO, a folder, names with quotes, newlines and a leading dash, oversize) pushed through ingest and through clip
/// search of one all-in-one process (ingest and search roles, as <c>vmnet serve</c> runs them). Each gets a one-line
/// refusal, the process keeps answering, its peak resident memory (VmHWM, reset before the corpus) stays under
/// <c>VMNET_HOSTILE_MAX_RSS_MB</c> (default 1024), and what was stored before is unchanged.
/// </summary>
public sealed class HostileCorpusTests
{
    private const long MaxIngestBytes = 8L * 1024 * 1024;
    private const long MaxClipBytes = 300_000;
    private const double MaxSeconds = 600;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Input(string Name, string Path, MediaKind Kind, bool Clip);

    [Fact]
    public async Task Every_hostile_input_is_refused_in_one_line_the_process_stays_up_memory_stays_bounded_and_nothing_stored_changes()
    {
        using var folder = new TempFolder("hostile");
        var media = Directory.CreateDirectory(Path.Combine(folder.Path, "media-root")).FullName;
        var outside = Directory.CreateDirectory(Path.Combine(folder.Path, "outside")).FullName;
        var data = Path.Combine(folder.Path, "data");
        await using var app = VmNetHost.Build([IngestRole.Name, SearchRole.Name], new Dictionary<string, string?>
        {
            ["Storage:DataDir"] = data,
            ["Ingest:MediaRoots:0"] = media,
            ["Ingest:MaxBytes"] = MaxIngestBytes.ToString(CultureInfo.InvariantCulture),
            ["Ingest:MaxDurationSeconds"] = MaxSeconds.ToString(CultureInfo.InvariantCulture),
            ["Ingest:FfmpegTimeout"] = "00:01:00",
            ["Search:GrpcUrl"] = "http://127.0.0.1:0",
            ["Search:MaxClipBytes"] = MaxClipBytes.ToString(CultureInfo.InvariantCulture),
            ["Search:MaxClipSeconds"] = "60",
            ["Logging:LogLevel:Default"] = "Warning",
        }, b =>
        {
            b.Services.AddSingleton<IngestAnswers>();
            b.Services.AddRoleConsumers("hostile-observer", bus => bus.AddConsumer<IngestAnswersConsumer>().Endpoint(e => e.Temporary = true));
        });
        var world = await SearchWorld.CreateAsync(data, app.Services.GetRequiredService<IFeatureCatalogue>(), app.Services.GetRequiredService<IVectorStore>());
        await app.StartAsync(Ct);
        var grpc = app.Services.GetRequiredService<SearchEndpoints>().GrpcAddress!;
        using var client = new SearchClient(grpc);

        // What is stored before: one ingested item, the search world.
        var good = await TestMedia.MusicVideoAsync(Path.Combine(media, "good.mp4"), seconds: 1);
        Assert.IsType<MediaIngested>(await IngestAsync(app, good, MediaKind.Pair));
        var before = await SnapshotAsync(app, data);

        var inputs = await MakeCorpusAsync(media, outside);
        Assert.True(inputs.Count >= 30, $"{inputs.Count} inputs");
        ResetPeakRss();
        var refusals = new List<string>();
        foreach (var input in inputs)
        {
            var answer = await IngestAsync(app, input.Path, input.Kind);
            var failed = Assert.IsType<IngestFailed>(answer);
            AssertOneLine(input.Name, failed.Reason);
            Assert.DoesNotContain(Path.Combine(data, "tmp"), failed.Reason, StringComparison.Ordinal);
            refusals.Add($"ingest {input.Name}: {failed.Reason}");
            if (input.Clip)
            {
                var e = await Assert.ThrowsAsync<RpcException>(() => client.FindVideosForMusicFileAsync(input.Path, cancellationToken: Ct));
                Assert.True(e.StatusCode is StatusCode.InvalidArgument or StatusCode.ResourceExhausted, $"clip {input.Name}: {e.StatusCode} {e.Status.Detail}");
                AssertOneLine(input.Name, e.Status.Detail);
                Assert.DoesNotContain(data, e.Status.Detail, StringComparison.Ordinal);
                refusals.Add($"clip {input.Name}: {e.StatusCode} {e.Status.Detail}");
            }
        }

        var peakMb = PeakRssMb();
        TestContext.Current.TestOutputHelper?.WriteLine($"hostile corpus: {inputs.Count} inputs, {refusals.Count} refusals, peak RSS {peakMb} MB\n{string.Join('\n', refusals)}");

        // Still up: a good ingest and a good query answer; nothing stored changed.
        var second = await TestMedia.AudioOnlyAsync(Path.Combine(media, "after.wav"), seconds: 1);
        Assert.IsType<MediaIngested>(await IngestAsync(app, second, MediaKind.Music));
        File.Delete(second);
        var after = await SnapshotAsync(app, data);
        Assert.NotNull((await client.GetModelInfoAsync(Ct)).LiveVersion);
        Assert.Equal(before.Catalogue, after.Catalogue);
        Assert.Equal(before.Vectors, after.Vectors);
        Assert.Subset(after.MediaFiles.ToHashSet(), before.MediaFiles.ToHashSet());
        var ceiling = long.TryParse(Environment.GetEnvironmentVariable("VMNET_HOSTILE_MAX_RSS_MB"), out var mb) ? mb : 1024;
        Assert.True(peakMb < ceiling, $"peak RSS {peakMb} MB over the {ceiling} MB ceiling");
        _ = world;
    }

    private static void AssertOneLine(string input, string reason)
    {
        Assert.False(string.IsNullOrWhiteSpace(reason), $"{input}: empty refusal");
        Assert.DoesNotContain("\n", reason.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain(" at VmNet.", reason, StringComparison.Ordinal);
    }

    private static async Task<object> IngestAsync(WebApplication app, string source, MediaKind kind)
    {
        var id = Guid.NewGuid();
        var answers = app.Services.GetRequiredService<IngestAnswers>();
        await app.Services.GetRequiredService<IBus>().Publish(new IngestRequested(id, source, kind, DateTimeOffset.UtcNow), Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        while (!answers.ById.ContainsKey(id))
        {
            await Task.Delay(20, timeout.Token);
        }

        return answers.ById[id];
    }

    private sealed record Snapshot(string Catalogue, string Vectors, IReadOnlyList<string> MediaFiles);

    private static async Task<Snapshot> SnapshotAsync(WebApplication app, string data)
    {
        var catalogue = new StringBuilder();
        await foreach (var item in app.Services.GetRequiredService<IFeatureCatalogue>().ListAsync(null, Ct))
        {
            catalogue.Append(CultureInfo.InvariantCulture, $"{item.MediaId} {item.Kind} {string.Join(',', item.MusicFeatures ?? [])} {string.Join(',', item.VideoFeatures ?? [])}\n");
        }

        var vectors = string.Join('\n', (await app.Services.GetRequiredService<IVectorStore>().ListGenerationsAsync(Ct))
            .Select(g => $"{g.Generation} {g.MusicCount} {g.VideoCount}"));
        var mediaFiles = Directory.Exists(Path.Combine(data, "media"))
            ? Directory.EnumerateFiles(Path.Combine(data, "media"), "*", SearchOption.AllDirectories)
                .Select(f => $"{Path.GetRelativePath(data, f)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))}")
                .Order(StringComparer.Ordinal).ToList()
            : [];
        return new Snapshot(catalogue.ToString(), vectors, mediaFiles);
    }

    // Linux: writing 5 to clear_refs resets VmHWM to the current RSS, so the peak read after is the corpus's.
    private static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static long PeakRssMb()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private static async Task<List<Input>> MakeCorpusAsync(string media, string outside)
    {
        var inputs = new List<Input>();
        var random = new Random(13);
        string In(string name) => Path.Combine(media, name);
        void Bytes(string name, byte[] bytes, MediaKind kind, bool clip = true)
        {
            File.WriteAllBytes(In(name), bytes);
            inputs.Add(new Input(name, In(name), kind, clip));
        }

        byte[] Random(int n)
        {
            var b = new byte[n];
            random.NextBytes(b);
            return b;
        }

        var secret = await TestMedia.MusicVideoAsync(Path.Combine(outside, "secret.mp4"), seconds: 1, frequency: 880);
        var ok = await TestMedia.MusicVideoAsync(Path.Combine(outside, "ok.mp4"), seconds: 2);
        var okBytes = await File.ReadAllBytesAsync(ok, Ct);

        Bytes("empty.mp4", [], MediaKind.Pair);
        Bytes("empty.wav", [], MediaKind.Music);
        Bytes("one-byte.mp3", [0xFF], MediaKind.Music);
        Bytes("random.mp4", Random(64 * 1024), MediaKind.Pair);
        Bytes("random.wav", Random(64 * 1024), MediaKind.Music);
        Bytes("text.mp3", Encoding.UTF8.GetBytes("not audio at all\n"), MediaKind.Music);
        Bytes("truncated.mp4", okBytes[..(okBytes.Length / 3)], MediaKind.Pair);
        Bytes("header-only.wav", Wav(dataBytes: 0, actual: 0), MediaKind.Music);
        Bytes("zero-rate.wav", Wav(dataBytes: 8000, actual: 8000, sampleRate: 0), MediaKind.Music);
        Bytes("id3-only.mp3", [.. "ID3"u8, 4, 0, 0, 0, 0, 0x10, .. new byte[4096]], MediaKind.Music);
        Bytes("oversize.mp4", Random((int)MaxIngestBytes + 1024), MediaKind.Pair);

        var playlist = $"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:1.0,\n{secret}\n#EXT-X-ENDLIST\n";
        Bytes("playlist.m3u8", Encoding.UTF8.GetBytes(playlist), MediaKind.Pair);
        Bytes("playlist-disguised.mp4", Encoding.UTF8.GetBytes(playlist), MediaKind.Pair);
        Bytes("concat.mp4", Encoding.UTF8.GetBytes($"ffconcat version 1.0\nfile '{secret}'\n"), MediaKind.Pair);
        Bytes("dash.mpd", Encoding.UTF8.GetBytes(
            $"<?xml version=\"1.0\"?><MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT1S\"><Period><AdaptationSet><Representation id=\"1\" bandwidth=\"1000\"><BaseURL>file://{secret}</BaseURL></Representation></AdaptationSet></Period></MPD>"),
            MediaKind.Pair);
        Bytes("stream.sdp", Encoding.UTF8.GetBytes("v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 5004 RTP/AVP 0\n"), MediaKind.Music);

        async Task Ffmpeg(string name, MediaKind kind, bool clip, params string[] args)
        {
            var path = In(name);
            var result = await ProcessRunner.RunAsync("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", .. args, path], TimeSpan.FromMinutes(2), Ct);
            Assert.True(result.ExitCode == 0, $"making {name}: {result.StandardError}");
            inputs.Add(new Input(name, path, kind, clip));
        }

        // 10 hours of video in a few hundred bytes: two frames ten hours apart.
        await Ffmpeg("ten-hours.mkv", MediaKind.Video, true, "-f", "lavfi", "-i", "color=size=16x16:rate=1/36000", "-frames:v", "2", "-c:v", "ffv1");
        // 10 hours of audio in a few KB: two seconds of samples whose timestamps are spread over ten hours.
        await Ffmpeg("ten-hours.mka", MediaKind.Music, true, "-f", "lavfi", "-i", "sine=sample_rate=8000:duration=2", "-af", "asetpts=N/SR/TB*18000", "-c:a", "pcm_s16le");
        // An 8K frame: what a decoder would allocate per frame.
        await Ffmpeg("8k.mp4", MediaKind.Video, true, "-f", "lavfi", "-i", "color=size=7680x4320:rate=1:duration=1", "-frames:v", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p");
        // Codecs in containers outside the allow-list.
        await Ffmpeg("odd.nut", MediaKind.Music, true, "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "pcm_s16le");
        await Ffmpeg("odd.au", MediaKind.Music, true, "-f", "lavfi", "-i", "sine=duration=1");
        await Ffmpeg("odd.voc", MediaKind.Music, true, "-f", "lavfi", "-i", "sine=duration=1", "-ac", "1", "-c:a", "pcm_u8");
        await Ffmpeg("odd.y4m", MediaKind.Video, true, "-f", "lavfi", "-i", "testsrc=size=32x32:rate=5:duration=1", "-pix_fmt", "yuv420p");
        await Ffmpeg("odd-ffv1.nut", MediaKind.Video, true, "-f", "lavfi", "-i", "testsrc=size=32x32:rate=5:duration=1", "-c:v", "ffv1");
        // A video-only file asked for as a pair (and uploaded as music).
        await Ffmpeg("video-only.mp4", MediaKind.Pair, true, "-f", "lavfi", "-i", "testsrc=size=32x32:rate=5:duration=1", "-c:v", "libx264", "-preset", "ultrafast");

        // Hostile names, each with unreadable content.
        Bytes("-i leading dash.mp4", Random(4096), MediaKind.Pair);
        Bytes("quo\"te's $(x).mp4", Random(4096), MediaKind.Pair);
        Bytes("new\nline.mp4", Random(4096), MediaKind.Pair);

        // Paths that lead out of the root or are not files (ingest only: an upload is its bytes).
        File.CreateSymbolicLink(In("link-out.mp4"), secret);
        inputs.Add(new Input("link-out.mp4", In("link-out.mp4"), MediaKind.Pair, false));
        File.CreateSymbolicLink(In("link-dev-zero.mp4"), "/dev/zero");
        inputs.Add(new Input("link-dev-zero.mp4", In("link-dev-zero.mp4"), MediaKind.Pair, false));
        Directory.CreateSymbolicLink(In("link-dir"), outside);
        inputs.Add(new Input("link-dir/secret.mp4", In("link-dir/secret.mp4"), MediaKind.Pair, false));
        inputs.Add(new Input("dotdot", In("../outside/secret.mp4"), MediaKind.Pair, false));
        Directory.CreateDirectory(In("folder.mp4"));
        inputs.Add(new Input("folder.mp4", In("folder.mp4"), MediaKind.Pair, false));
        var fifo = await ProcessRunner.RunAsync("mkfifo", [In("fifo.mp4")], TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(0, fifo.ExitCode);
        inputs.Add(new Input("fifo.mp4", In("fifo.mp4"), MediaKind.Pair, false));
        return inputs;
    }

    // A PCM WAV header (8-bit mono) that declares dataBytes of samples, followed by actual bytes of silence.
    private static byte[] Wav(uint dataBytes, int actual, int sampleRate = 8000)
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write("RIFF"u8);
        w.Write(unchecked(dataBytes + 36));
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write((short)1);
        w.Write((short)1);
        w.Write(sampleRate);
        w.Write(sampleRate);
        w.Write((short)1);
        w.Write((short)8);
        w.Write("data"u8);
        w.Write(dataBytes);
        w.Write(Enumerable.Repeat((byte)128, actual).ToArray());
        w.Flush();
        return stream.ToArray();
    }
}
