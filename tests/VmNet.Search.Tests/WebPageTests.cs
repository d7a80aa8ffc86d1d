using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Testing;
using VmNet.VideoFeatures;

namespace VmNet.Search.Tests;

/// <summary>
/// The web page in a real browser: Debian's chromium driven through its chromium-driver (Selenium), against the real
/// search server whose live model takes the real video extractor's features, so an uploaded clip is really searched.
/// Screenshots are kept in the test's output folder (<c>screenshots/</c>).
/// </summary>
public sealed class WebPageTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Screenshots => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    [Fact]
    public async Task A_clip_uploaded_in_the_browser_finds_tracks_and_its_preview_lasts_as_long_as_the_clip()
    {
        using var folder = new TempFolder("web-page");
        var clip = await TestMedia.MusicVideoAsync(Path.Combine(folder.Path, "clip.mp4"), seconds: 4.4);
        var videoDim = await RealVideoDimensionAsync(clip, folder.Path);
        await using var server = await SearchServer.StartAsync(new Dictionary<string, string?> { ["Search:MaxClipBytes"] = "20000000" }, videoDim);
        foreach (var (item, i) in server.World.Items.Where(i => i.Music is not null).Select((item, i) => (item, i)))
        {
            await PreviewMedia.WriteTrackAsync(server.World.DataDir, item.MediaId, 10, bpm: 90 + (5 * i));
        }

        using var browser = StartBrowser(folder.Path);
        browser.Navigate().GoToUrl(server.WebAddress);
        Until(browser, () => browser.FindElement(By.Id("model-version")).Text == "v1", "the live model shown");

        // The file input is styled away behind its label; the driver types the path into it.
        ((IJavaScriptExecutor)browser).ExecuteScript("document.getElementById('file').hidden = false;");
        browser.FindElement(By.Id("file")).SendKeys(clip);
        ((IJavaScriptExecutor)browser).ExecuteScript("document.getElementById('file').hidden = true;");
        browser.FindElement(By.Id("search")).Click();
        Until(browser, () => browser.FindElements(By.CssSelector("#results li.match")).Count > 0 || browser.FindElement(By.Id("error")).Displayed, "results");
        Assert.False(browser.FindElement(By.Id("error")).Displayed, browser.FindElement(By.Id("error")).Text);
        var matches = browser.FindElements(By.CssSelector("#results li.match"));
        Assert.Equal(server.World.Items.Count(i => i.Music is not null), matches.Count);
        Assert.Contains("score", matches[0].Text, StringComparison.Ordinal);
        Assert.Contains("BPM", matches[0].Text, StringComparison.Ordinal);
        // Explanations by name: the real clip's pooled CNN statistics give "motion" / "picture" blocks, never raw dimensions.
        var why = matches[0].FindElement(By.CssSelector(".why")).Text;
        Assert.Matches("rhythm|timbre|harmony|dynamics", why);
        Assert.Matches("motion|picture", why);
        Assert.DoesNotContain("dims", why, StringComparison.Ordinal);
        // Who each track is, from the catalogue's metadata on the Match: "title — artist", then source, external id, labels.
        Assert.Matches(@"^Title \d+ — Artist \d+$", matches[0].FindElement(By.CssSelector(".title")).Text);
        Assert.Matches(@"source clip-\d+\.mp4 · external id ext-\d+ · mood: (calm|energetic)", matches[0].FindElement(By.CssSelector(".about")).Text);
        Save(browser, "1-results");

        matches[0].FindElement(By.CssSelector(".preview-button")).Click();
        Until(browser, () => Convert.ToDouble(((IJavaScriptExecutor)browser).ExecuteScript(
            "const v = document.getElementById('player'); return v.readyState >= 1 && isFinite(v.duration) ? v.duration : 0;"), CultureInfo.InvariantCulture) > 0
            || browser.FindElement(By.Id("error")).Displayed, "the preview's metadata");
        Assert.False(browser.FindElement(By.Id("error")).Displayed, browser.FindElement(By.Id("error")).Text);
        var duration = Convert.ToDouble(((IJavaScriptExecutor)browser).ExecuteScript("return document.getElementById('player').duration;"), CultureInfo.InvariantCulture);
        var clipSeconds = (await MediaProbe.ProbeAsync(clip, Wait, Ct)).DurationSeconds;
        Assert.InRange(duration, clipSeconds - 0.1, clipSeconds + 0.1);
        // A frame of the picture for the screenshot (the player shows black until it has decoded one).
        ((IJavaScriptExecutor)browser).ExecuteScript("const v = document.getElementById('player'); v.currentTime = 2; v.scrollIntoView();");
        Until(browser, () => Convert.ToInt32(((IJavaScriptExecutor)browser).ExecuteScript("return document.getElementById('player').readyState;"), CultureInfo.InvariantCulture) >= 2, "a decoded frame");
        Save(browser, "2-preview");

        // A new model goes live: the page follows without a reload.
        SearchWorld.WriteModel(server.World.DataDir, "v2", seed: 99, videoDim);
        await server.World.EmbedAsync(server.Store, "v2");
        await server.Store.ActivateAsync("v2", Ct);
        await server.AnnounceActivationAsync("v2", "v1", Ct);
        Until(browser, () => browser.FindElement(By.Id("model-version")).Text == "v2", "the new live model shown");

        // A catalogue video picked from the list the page got from ListMedia (GET /v1/media): searched by its media id.
        var pairIndex = server.World.Items.ToList().FindIndex(i => i.Kind == MediaKind.Pair);
        var pair = server.World.Items[pairIndex];
        var videos = server.World.Items.Count(i => i.Kind is MediaKind.Pair or MediaKind.Video);
        Until(browser, () => browser.FindElements(By.CssSelector("#video-pick option[value]:not([value=''])")).Count == videos, "the catalogue videos listed");
        var option = browser.FindElement(By.CssSelector($"#video-pick option[value='{pair.MediaId}']"));
        Assert.StartsWith($"Title {pairIndex} — Artist {pairIndex} [ext-{pairIndex}]", option.Text, StringComparison.Ordinal);
        option.Click();
        Assert.Equal(pair.MediaId, browser.FindElement(By.Id("video-id")).GetAttribute("value"));
        browser.FindElement(By.Id("search")).Click();
        Until(browser, () => browser.FindElement(By.Id("results-title")).Text.EndsWith("model v2", StringComparison.Ordinal)
            || browser.FindElement(By.Id("error")).Displayed, "results for the catalogue video");
        Assert.False(browser.FindElement(By.Id("error")).Displayed, browser.FindElement(By.Id("error")).Text);
        var fromCatalogue = browser.FindElements(By.CssSelector("#results li.match .title"));
        Assert.NotEmpty(fromCatalogue);
        Assert.All(fromCatalogue, t => Assert.Matches(@"^Title \d+ — Artist \d+$", t.Text));
        Save(browser, "4-catalogue-video");

        // A file that is not a video: a clear message on the page.
        var notes = Path.Combine(folder.Path, "notes.txt");
        await File.WriteAllTextAsync(notes, "not a video", Ct);
        ((IJavaScriptExecutor)browser).ExecuteScript("document.getElementById('file').hidden = false; window.scrollTo(0, 0);");
        browser.FindElement(By.Id("file")).SendKeys(notes);
        ((IJavaScriptExecutor)browser).ExecuteScript("document.getElementById('file').hidden = true;");
        Until(browser, () => browser.FindElement(By.Id("error")).Displayed, "the error message");
        Assert.Contains("is not a video file", browser.FindElement(By.Id("error")).Text, StringComparison.Ordinal);
        Save(browser, "3-bad-file");
        Assert.Empty(Directory.EnumerateFileSystemEntries(new DataDirectory(server.World.DataDir).Temp));
    }

    [Fact]
    public async Task Bad_uploads_get_a_clear_message_from_the_api_and_nothing_is_stored()
    {
        using var folder = new TempFolder("web-api");
        await using var server = await SearchServer.StartAsync();
        var track = server.World.First(MediaKind.Music).MediaId;
        await PreviewMedia.WriteTrackAsync(server.World.DataDir, track, 5);
        var audioOnly = await File.ReadAllBytesAsync(await TestMedia.AudioOnlyAsync(Path.Combine(folder.Path, "tone.m4a"), 2), Ct);
        var video = await File.ReadAllBytesAsync(await TestMedia.VideoOnlyAsync(Path.Combine(folder.Path, "clip.mp4"), 1, pattern: "color"), Ct);
        var data = new DataDirectory(server.World.DataDir);
        var mediaBefore = Directory.GetDirectories(data.Media).Length;
        using var http = new HttpClient { BaseAddress = server.WebAddress };

        async Task<(HttpStatusCode Status, string Message)> PostAsync(string path, byte[] body, string type)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(type);
            var response = await http.PostAsync(path, content, Ct);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            return (response.StatusCode, json.RootElement.GetProperty("message").GetString()!);
        }

        var wrongType = await PostAsync("/v1/clips:findMusic", "hello"u8.ToArray(), "text/plain");
        var notMedia = await PostAsync("/v1/clips:findMusic", "not a video at all"u8.ToArray(), "video/mp4");
        var noVideo = await PostAsync("/v1/clips:findMusic", audioOnly, "video/mp4");
        var tooBig = await PostAsync("/v1/clips:findMusic", new byte[SearchServer.MaxClipBytes + 10], "video/mp4");
        var unknownTrack = await PostAsync($"/v1/previews?track={new string('c', 32)}", video, "video/mp4");
        var previewNoVideo = await PostAsync($"/v1/previews?track={track}", audioOnly, "video/mp4");

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "expected a video file, not text/plain"), wrongType);
        Assert.Equal(HttpStatusCode.BadRequest, notMedia.Status);
        Assert.Contains("not decodable", notMedia.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noVideo.Status);
        Assert.Contains("no video stream", noVideo.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, tooBig.Status);
        Assert.Contains("larger than the limit", tooBig.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknownTrack.Status);
        Assert.Equal(HttpStatusCode.BadRequest, previewNoVideo.Status);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Temp));
        Assert.Equal(mediaBefore, Directory.GetDirectories(data.Media).Length);
    }

    [Fact]
    public async Task The_upload_endpoints_need_the_query_key_when_one_is_set()
    {
        await using var server = await SearchServer.StartAsync(new Dictionary<string, string?> { ["Search:QueryApiKey"] = "query-key" });
        using var http = new HttpClient { BaseAddress = server.WebAddress };

        var search = await http.PostAsync("/v1/clips:findMusic", new ByteArrayContent([1, 2, 3]), Ct);
        var preview = await http.PostAsync($"/v1/previews?track={server.World.First(MediaKind.Music).MediaId}", new ByteArrayContent([1, 2, 3]), Ct);
        var page = await http.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, search.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, preview.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    // The live model must take what the real extractor produces from an uploaded clip (no PCA fitted here).
    private static async Task<int> RealVideoDimensionAsync(string clip, string dataDir)
    {
        using var extractor = new VideoFeatureExtractor(new VideoFeatureOptions(), new VideoPcaStore(new DataDirectory(Path.Combine(dataDir, "probe"))));
        return (await extractor.ExtractAsync(clip, Ct)).Vector.Length;
    }

    private static ChromeDriver StartBrowser(string folder)
    {
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=1280,1000", $"--user-data-dir={Path.Combine(folder, "chromium-profile")}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, Wait);
    }

    private static void Until(IWebDriver browser, Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (WebDriverException)
            {
                // The element is being replaced; look again.
            }

            Thread.Sleep(100);
        }

        Save(browser, $"timeout-{what.Replace(' ', '-').Replace('\'', '-')}");
        Assert.Fail($"timed out waiting for {what}");
    }

    private static void Save(IWebDriver browser, string name) =>
        ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(Path.Combine(Screenshots, $"{name}.png"));
}
