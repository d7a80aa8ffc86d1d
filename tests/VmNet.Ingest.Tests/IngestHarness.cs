using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VmNet.Contracts;
using VmNet.ServiceDefaults;
using VmNet.Testing;

namespace VmNet.Ingest.Tests;

/// <summary>The ingest role on MassTransit's in-memory test harness, with a media root and a data dir of its own.</summary>
public sealed class IngestHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private IngestHarness(IHost host, TempFolder media, TempFolder data)
    {
        _host = host;
        Media = media;
        Data = data;
    }

    public TempFolder Media { get; }

    public TempFolder Data { get; }

    public ITestHarness Harness => _host.Services.GetTestHarness();

    public IServiceProvider Services => _host.Services;

    public static async Task<IngestHarness> StartAsync(IDictionary<string, string?>? config = null)
    {
        var media = new TempFolder("media");
        var data = new TempFolder("data");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Storage:DataDir"] = data.Path;
        builder.Configuration["Ingest:MediaRoots:0"] = media.Path;
        foreach (var (key, value) in config ?? new Dictionary<string, string?>())
        {
            builder.Configuration[key] = value;
        }

        builder.AddServiceDefaults();
        builder.AddIngest();
        builder.Services.AddMassTransitTestHarness(x => x.AddRegisteredConsumers(builder.Services));
        var host = builder.Build();
        await host.StartAsync();
        return new IngestHarness(host, media, data);
    }

    /// <summary>Publishes a request and returns what ingest answered for it.</summary>
    public Task<object> IngestAsync(string source, MediaKind kind) =>
        IngestAsync(new IngestRequested(Guid.NewGuid(), source, kind, DateTimeOffset.UtcNow));

    /// <summary>Publishes <paramref name="request"/> and returns what ingest answered for it.</summary>
    public async Task<object> IngestAsync(IngestRequested request)
    {
        var id = request.CorrelationId;
        var source = request.Source;
        await Harness.Bus.Publish(request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!timeout.IsCancellationRequested)
        {
            var ok = Harness.Published.Select<MediaIngested>().FirstOrDefault(m => m.Context.Message.CorrelationId == id);
            if (ok is not null)
            {
                return ok.Context.Message;
            }

            var failed = Harness.Published.Select<IngestFailed>().FirstOrDefault(m => m.Context.Message.CorrelationId == id);
            if (failed is not null)
            {
                return failed.Context.Message;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no answer for '{source}'");
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        Media.Dispose();
        Data.Dispose();
    }
}
