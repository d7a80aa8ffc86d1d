using Microsoft.Extensions.Options;
using VmNet.Media;

namespace VmNet.Ingest;

/// <summary>Brings a source to a local file: local paths are checked in place, the rest is downloaded into the data dir.</summary>
internal sealed class MediaFetcher(IOptions<IngestOptions> options, IngestHttpClient http, DataDirectory data, OperatorFiles operatorFiles)
{
    private readonly IngestOptions _options = options.Value;

    /// <summary>A fetched file; <see cref="Dispose"/> removes what a download left behind.</summary>
    public sealed record Fetched(string Path, string? Temporary) : IDisposable
    {
        public void Dispose() => DeleteQuietly(Temporary);
    }

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
                return new Fetched(ResolveLocal(source), Temporary: null);
        }
    }

    private string ResolveLocal(string source)
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
                return granted;
            }

            throw new IngestRejectedException(
                $"'{source}' is outside the allowed media roots ({string.Join(", ", roots)}); to allow a folder, add it to "
                + "Ingest:MediaRoots (appsettings.json, or the environment of the ingest role: Ingest__MediaRoots__0=/folder)");
        }

        if (!File.Exists(full))
        {
            throw new IngestRejectedException(
                $"'{source}' is not a YouTube id (11 of [A-Za-z0-9_-]), an http(s) URL, or an existing file in the media roots");
        }

        return full;
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

    private async Task<Fetched> DownloadWithYtDlpAsync(string idOrUrl, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(data.Temp, "dl-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string[] arguments =
        [
            "--no-playlist", "--no-progress", "--quiet", "--no-warnings",
            "--max-filesize", _options.MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-f", "best[ext=mp4]/best",
            "-o", Path.Combine(folder, "media.%(ext)s"),
            "--", idOrUrl,
        ];
        try
        {
            var result = await ProcessRunner.RunAsync(_options.YtDlp, arguments, _options.DownloadTimeout, cancellationToken);
            if (result.ExitCode != 0)
            {
                throw new IngestRejectedException($"download failed: yt-dlp exited with {result.ExitCode}: {FfmpegAudio.LastLine(result.StandardError)}");
            }

            var file = Directory.EnumerateFiles(folder).FirstOrDefault()
                ?? throw new IngestRejectedException("download failed: yt-dlp reported success but wrote no file");
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
