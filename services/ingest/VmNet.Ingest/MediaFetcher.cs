using Microsoft.Extensions.Options;
using VmNet.Media;

namespace VmNet.Ingest;

/// <summary>
/// Brings a source to a private file under the data dir's tmp folder: local paths (in a media root, or a file the
/// operator named on this process's command line) are checked, opened once and copied, the rest is downloaded.
/// </summary>
internal sealed class MediaFetcher(IOptions<IngestOptions> options, IngestHttpClient http, DataDirectory data, OperatorFiles operatorFiles)
{
    private readonly IngestOptions _options = options.Value;

    /// <summary>A fetched file; <see cref="Dispose"/> removes what a download left behind.</summary>
    public sealed record Fetched(string Path, string? Temporary) : IDisposable
    {
        public void Dispose() => DeleteQuietly(Temporary);
    }

    /// <summary>
    /// Test seam: runs after a local path passed the media-root check and before the file is opened, where a
    /// concurrent rename or link swap would land.
    /// </summary>
    internal Action<string>? PathChecked { get; set; }

    public async Task<Fetched> FetchAsync(string source, CancellationToken cancellationToken)
    {
        switch (IngestSource.Classify(source))
        {
            case SourceKind.YouTube:
                return await DownloadWithYtDlpAsync(source, cancellationToken);
            case SourceKind.Url:
                var uri = new Uri(source);
                return IngestSource.IsYouTubeUrl(uri)
                    ? await DownloadWithYtDlpAsync(uri.AbsoluteUri, cancellationToken)
                    : await DownloadAsync(uri, cancellationToken);
            default:
                var (path, granted) = ResolveLocal(source);
                return await CopyLocalAsync(path, granted, cancellationToken);
        }
    }

    /// <summary>Test seam: runs once the local file is open and proven inside the roots, before it is copied.</summary>
    internal Action<string>? Opened { get; set; }

    /// <summary>
    /// Opens the checked path once (<see cref="PathGuard.OpenInsideAny"/> proves the open file is inside the roots)
    /// and copies it from that handle into a private temporary file, which is all that is hashed, probed and split:
    /// a name re-pointed after the check (a link swap, a rename) can no longer change what is read.
    /// </summary>
    private async Task<Fetched> CopyLocalAsync(string path, string? granted, CancellationToken cancellationToken)
    {
        FileStream source;
        try
        {
            // A file in a media root must be opened inside one; an operator's file must be exactly the granted one.
            source = granted is null ? PathGuard.OpenInsideAny(_options.EffectiveMediaRoots, path) : PathGuard.OpenExact(path, granted);
        }
        catch (UnsafePathException e)
        {
            throw new IngestRejectedException($"{e.Message.Replace("allowed roots", "allowed media roots", StringComparison.Ordinal)}");
        }
        catch (IOException)
        {
            throw new IngestRejectedException($"'{path}' cannot be opened");
        }

        await using (source)
        {
            Opened?.Invoke(path);
            // Size from the open file, before a byte is copied or hashed.
            var length = source.Length;
            if (length == 0)
            {
                throw new IngestRejectedException("empty file");
            }

            if (length > _options.MaxBytes)
            {
                throw new IngestRejectedException($"file is {length} bytes, over the {_options.MaxBytes}-byte limit");
            }

            var target = Path.Combine(data.Temp, Guid.NewGuid().ToString("N") + ".local");
            try
            {
                await using var copy = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
                var buffer = new byte[81920];
                long total = 0;
                int n;
                while ((n = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    // The file may grow while it is copied: the limit holds for what is read, not only the length seen.
                    total += n;
                    if (total > _options.MaxBytes)
                    {
                        throw new IngestRejectedException($"file grew past the {_options.MaxBytes}-byte limit while it was read");
                    }

                    await copy.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                }

                return new Fetched(target, Temporary: target);
            }
            catch
            {
                DeleteQuietly(target);
                throw;
            }
        }
    }

    // The path to open and, for an operator-named file outside the roots, the real path it was granted under.
    private (string Path, string? Granted) ResolveLocal(string source)
    {
        if (source.IndexOfAny(['\0', '\n', '\r']) >= 0)
        {
            throw new IngestRejectedException("source contains control characters");
        }

        var roots = _options.EffectiveMediaRoots;
        var candidate = Path.IsPathRooted(source) ? source : Path.GetFullPath(source, roots[0]);
        if (!PathGuard.TryInsideAny(roots, candidate, out var full))
        {
            if (operatorFiles.Allows(candidate, out var granted))
            {
                PathChecked?.Invoke(granted);
                return (granted, granted);
            }

            throw new IngestRejectedException(
                $"'{source}' is outside the allowed media roots ({string.Join(", ", roots)}); to allow a folder, add it to "
                + "Ingest:MediaRoots (appsettings.json, or the environment of the ingest role: Ingest__MediaRoots__0=/folder)");
        }

        PathChecked?.Invoke(full);

        if (!File.Exists(full))
        {
            throw new IngestRejectedException(
                $"'{source}' is not a YouTube id (11 of [A-Za-z0-9_-]), an http(s) URL, or an existing file in the media roots");
        }

        return (full, null);
    }

    private async Task<Fetched> DownloadAsync(Uri uri, CancellationToken cancellationToken)
    {
        // A fixed extension: the URL's own (".m3u8", ".concat", ...) would choose how FFmpeg opens the file.
        var target = Path.Combine(data.Temp, Guid.NewGuid().ToString("N") + ".download");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.DownloadTimeout);
            var client = http.Client;
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new IngestRejectedException($"download failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (response.Content.Headers.ContentLength > _options.MaxBytes)
            {
                throw new IngestRejectedException($"download failed: {response.Content.Headers.ContentLength} bytes is over the {_options.MaxBytes}-byte limit");
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            await using var file = File.Create(target);
            var buffer = new byte[81920];
            long total = 0;
            int n;
            while ((n = await body.ReadAsync(buffer, timeout.Token)) > 0)
            {
                total += n;
                if (total > _options.MaxBytes)
                {
                    throw new IngestRejectedException($"download failed: more than the {_options.MaxBytes}-byte limit");
                }

                await file.WriteAsync(buffer.AsMemory(0, n), timeout.Token);
            }

            return new Fetched(target, Temporary: target);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            DeleteQuietly(target);
            // No socket details: "connection refused" against "timed out" per port would map the network behind ingest.
            throw new IngestRejectedException("download failed");
        }
        catch
        {
            DeleteQuietly(target);
            throw;
        }
    }

    /// <summary>
    /// Proxy settings inherited from the environment are dropped for yt-dlp: <c>no_proxy</c> (often listing localhost and
    /// internal domains) would send those requests around <see cref="GuardedProxy"/>, straight to the destination.
    /// </summary>
    private static readonly Dictionary<string, string?> NoProxyBypass = new()
    {
        ["no_proxy"] = null, ["NO_PROXY"] = null, ["http_proxy"] = null, ["HTTP_PROXY"] = null, ["https_proxy"] = null,
        ["HTTPS_PROXY"] = null, ["all_proxy"] = null, ["ALL_PROXY"] = null,
    };

    /// <summary>Internal for tests, which hand it URLs of local servers (ingest gives it YouTube ids and URLs only).</summary>
    internal async Task<Fetched> DownloadWithYtDlpAsync(string idOrUrl, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(data.Temp, "dl-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        // yt-dlp has its own HTTP stack: every connection it makes goes through this proxy, which applies the same
        // NetworkGuard and allow-list as ingest's own downloads.
        await using var proxy = GuardedProxy.Start(http.Guard);
        string[] arguments =
        [
            // No configuration file is read (system, user, or one planted beside the download): options come only from here.
            "--ignore-config",
            "--proxy", proxy.Url,
            "--no-playlist", "--no-progress", "--quiet", "--no-warnings",
            // Refused on the site's metadata before a byte of media is fetched: too long, or a live stream (no end).
            "--match-filter", $"duration <= {_options.MaxDurationSeconds.ToString("0.###", inv)} & !is_live",
            "--max-filesize", _options.MaxBytes.ToString(inv),
            // Only formats fetched over HTTP(S), which the proxy sees: not RTMP, RTSP, MMS or HLS handed to FFmpeg.
            "-f", "best[ext=mp4][protocol^=http]/best[protocol^=http]",
            "-o", Path.Combine(folder, "media.%(ext)s"),
            "--", idOrUrl,
        ];
        try
        {
            // Run in its own empty folder, never a media root: nothing there can act as a configuration or a cookie jar.
            var result = await ProcessRunner.RunAsync(
                _options.YtDlp, arguments, _options.DownloadTimeout, cancellationToken, workingDirectory: folder, environment: NoProxyBypass);
            if (result.ExitCode != 0 && proxy.Refused > 0)
            {
                throw new IngestRejectedException("download failed: destination address not allowed");
            }

            if (result.ExitCode != 0)
            {
                throw new IngestRejectedException($"download failed: yt-dlp exited with {result.ExitCode}: {FfmpegAudio.LastLine(result.StandardError)}");
            }

            var file = Directory.EnumerateFiles(folder).FirstOrDefault()
                ?? throw new IngestRejectedException(
                    $"download refused: longer than {_options.MaxDurationSeconds.ToString("0.###", inv)} s, a live stream, or no file written");
            return new Fetched(file, Temporary: folder);
        }
        catch (Exception e) when (e is FileNotFoundException or TimeoutException)
        {
            DeleteQuietly(folder);
            throw new IngestRejectedException(e is FileNotFoundException
                ? $"download failed: {_options.YtDlp} is not installed"
                : $"download failed: {e.Message}");
        }
        catch
        {
            DeleteQuietly(folder);
            throw;
        }
    }

    private static void DeleteQuietly(string? path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
            // A leftover temp file is not worth failing an ingest for.
        }
    }
}

/// <summary>Bad input: answered with IngestFailed and the message, never retried.</summary>
internal sealed class IngestRejectedException(string message) : Exception(message);
