using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VmNet.Catalogue;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.ServiceDefaults;
using VmNet.Testing;
using VmNet.Training;

namespace VmNet.Trainer.Tests;

public sealed class TrainerRoleTests
{
    private static IHost BuildHost(TempFolder data)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new DataDirectory(data.Path));
        builder.Services.AddSingleton<IFeatureCatalogue>(SyntheticPairs.Catalogue(SyntheticPairs.Create(500)));
        builder.AddTrainer();
        builder.Services.Configure<TrainerOptions>(o => o.Training = SyntheticPairs.TinyOptions(epochs: 3));
        builder.Services.AddMassTransitTestHarness(x =>
        {
            x.SetTestTimeouts(testTimeout: TimeSpan.FromMinutes(3));
            x.AddRegisteredConsumers(builder.Services);
        });
        return builder.Build();
    }

    [Fact]
    public async Task RetrainRequestedEndsInModelPublishedWithMetricsAndTheFolder()
    {
        using var data = new TempFolder("trainer");
        using var host = BuildHost(data);
        await host.StartAsync(TestContext.Current.CancellationToken);
        var harness = host.Services.GetTestHarness();
        var finished = new TaskCompletionSource<TrainingOutcome?>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetRequiredService<TrainingCoordinator>().RunCompleted += o => finished.TrySetResult(o);

        var request = new RetrainRequested(Guid.NewGuid(), "test", "first model", DateTimeOffset.UtcNow);
        await harness.Bus.Publish(request, TestContext.Current.CancellationToken);

        Assert.True(await harness.Consumed.Any<RetrainRequested>(TestContext.Current.CancellationToken));
        Assert.NotNull(await finished.Task.WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken));
        Assert.True(await harness.Published.Any<ModelPublished>(TestContext.Current.CancellationToken));
        Assert.False(await harness.Published.Any<Fault<RetrainRequested>>(new CancellationTokenSource(TimeSpan.FromSeconds(1)).Token));
        var published = harness.Published.Select<ModelPublished>().Single().Context.Message;
        Assert.Equal(request.CorrelationId, published.CorrelationId);
        Assert.True(published.Metrics["val.R@10"] > 0);
        Assert.Contains("test.v2m.R@10", published.Metrics.Keys);
        var registry = host.Services.GetRequiredService<ModelRegistry>();
        Assert.Equal(registry.FolderOf(published.ModelVersion), registry.Resolve(published.Location));
        Assert.Equal(published.ModelVersion, ModelFolder.Live(registry)!.Version);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task RequestsDuringATrainingAreCoalescedIntoOneMoreRun()
    {
        using var data = new TempFolder("trainer");
        using var host = BuildHost(data);
        await host.StartAsync(TestContext.Current.CancellationToken);
        var coordinator = host.Services.GetRequiredService<TrainingCoordinator>();
        var outcomes = new List<TrainingOutcome?>();
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        coordinator.RunCompleted += o =>
        {
            lock (outcomes)
            {
                outcomes.Add(o);
                if (outcomes.Count == 2)
                {
                    second.TrySetResult();
                }
            }
        };

        coordinator.Request(new RetrainRequested(Guid.NewGuid(), "test", "one", DateTimeOffset.UtcNow));
        while (!coordinator.IsTraining && coordinator.CompletedRuns == 0)
        {
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        Assert.True(coordinator.IsTraining, "the first training is running");
        var during = Enumerable.Range(0, 3).Select(i => new RetrainRequested(Guid.NewGuid(), "test", $"during {i}", DateTimeOffset.UtcNow)).ToList();
        foreach (var request in during)
        {
            coordinator.Request(request);
        }

        await second.Task.WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
        // Give a wrongly queued third run the chance to start before looking.
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.False(coordinator.IsTraining);
        Assert.Equal(2, coordinator.CompletedRuns);
        Assert.All(outcomes, o => Assert.NotNull(o));

        // Every coalesced request is answered under its own correlation id (published or rejected).
        var harness = host.Services.GetTestHarness();
        var answered = harness.Published.Select<ModelPublished>().Select(m => m.Context.Message.CorrelationId)
            .Concat(harness.Published.Select<ModelRejected>().Select(m => m.Context.Message.CorrelationId))
            .ToList();
        Assert.All(during, r => Assert.Contains(r.CorrelationId, answered));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void ScheduleIsDueOnNewPairsOrAge()
    {
        var options = new TrainerOptions { EveryNewPairs = 100, EveryHours = 24, MinPairs = 50 };
        var now = DateTimeOffset.UtcNow;
        var metrics = new Dictionary<string, double> { ["trainPairs"] = 800, ["valPairs"] = 100, ["testPairs"] = 100 };
        var newest = new ModelManifest("v1", now.AddHours(-1), 1140, 512, 512, "music.onnx", "video.onnx", metrics);

        Assert.Null(RetrainSchedule.Due(options, 40, null, now));
        Assert.NotNull(RetrainSchedule.Due(options, 60, null, now));
        Assert.Null(RetrainSchedule.Due(options, 1099, newest, now));
        Assert.Contains("100 new pairs", RetrainSchedule.Due(options, 1100, newest, now));
        Assert.Contains("older", RetrainSchedule.Due(options, 1000, newest, now.AddHours(24)));
        Assert.Null(RetrainSchedule.Due(new TrainerOptions(), 5000, null, now));
    }
}
