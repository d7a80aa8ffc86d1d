using System.Collections.Immutable;
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

/// <summary>
/// The trainer's answers and waiting requests across a crash: a process that dies between a decision and its message,
/// or while requests wait behind a training, loses nothing at its next start and announces nothing it did not publish.
/// </summary>
public sealed class TrainerOutboxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The trainer role on the test harness; <paramref name="failAnswers"/> makes every answer's send throw, as a process that dies there.</summary>
    private static IHost BuildHost(TempFolder data, int epochs, bool failAnswers = false)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new DataDirectory(data.Path));
        builder.Services.AddSingleton<IFeatureCatalogue>(SyntheticPairs.Catalogue(SyntheticPairs.Create(500)));
        builder.AddTrainer();
        builder.Services.Configure<TrainerOptions>(o => o.Training = SyntheticPairs.TinyOptions(epochs: epochs));
        builder.Services.AddMassTransitTestHarness(x =>
        {
            x.SetTestTimeouts(testTimeout: TimeSpan.FromMinutes(3));
            x.AddRegisteredConsumers(builder.Services);
            x.UsingInMemory((context, cfg) =>
            {
                if (failAnswers)
                {
                    cfg.ConfigurePublish(p => p.UseExecute(c =>
                    {
                        if (c is PublishContext<ModelPublished> or PublishContext<ModelRejected>)
                        {
                            throw new InvalidOperationException("the process died before this message left");
                        }
                    }));
                }

                cfg.ConfigureEndpoints(context);
            });
        });
        return builder.Build();
    }

    private static async Task<TrainingOutcome?> FirstRunAsync(IHost host)
    {
        var finished = new TaskCompletionSource<TrainingOutcome?>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetRequiredService<TrainingCoordinator>().RunCompleted += o => finished.TrySetResult(o);
        return await finished.Task.WaitAsync(TimeSpan.FromMinutes(3), Ct);
    }

    private static Guid[] Answered(IHost host)
    {
        var harness = host.Services.GetTestHarness();
        return
        [
            .. harness.Published.Select<ModelPublished>().Select(m => m.Context.Message.CorrelationId),
            .. harness.Published.Select<ModelRejected>().Select(m => m.Context.Message.CorrelationId),
        ];
    }

    [Fact]
    public async Task A_publish_decided_before_the_process_died_is_sent_at_the_next_start()
    {
        using var data = new TempFolder("trainer-outbox");
        var request = new RetrainRequested(Guid.NewGuid(), "test", "first model", DateTimeOffset.UtcNow);
        // Each host in its own execution context: MassTransit keeps its log context in an AsyncLocal, which would
        // otherwise carry the first host's (disposed) logger factory into the second.
        var version = await Task.Run(async () =>
        {
            using var dying = BuildHost(data, epochs: 3, failAnswers: true);
            await dying.StartAsync(Ct);
            var finished = FirstRunAsync(dying);
            await dying.Services.GetTestHarness().Bus.Publish(request, Ct);
            await finished;

            Assert.False(await dying.Services.GetTestHarness().Published.Any<ModelPublished>(new CancellationTokenSource(TimeSpan.FromSeconds(1)).Token));
            var registry = dying.Services.GetRequiredService<ModelRegistry>();
            var decided = Assert.Single(registry.List()).Version;
            await dying.StopAsync(Ct);
            return decided;
        });

        using var restarted = BuildHost(data, epochs: 3);
        await restarted.StartAsync(Ct);
        var harness = restarted.Services.GetTestHarness();

        Assert.True(await harness.Published.Any<ModelPublished>(m => m.Context.Message.CorrelationId == request.CorrelationId, Ct));
        var published = harness.Published.Select<ModelPublished>().Single().Context.Message;
        Assert.Equal(version, published.ModelVersion);
        var registryAfter = restarted.Services.GetRequiredService<ModelRegistry>();
        Assert.Equal(version, ModelFolder.Live(registryAfter)!.Version);
        Assert.Equal(registryAfter.FolderOf(version), registryAfter.Resolve(published.Location));
        // The answer came from the record, not from a second training.
        Assert.Single(registryAfter.List());
        Assert.Equal(0, restarted.Services.GetRequiredService<TrainingCoordinator>().CompletedRuns);
        await restarted.StopAsync(Ct);
    }

    [Fact]
    public async Task Requests_waiting_behind_a_training_survive_a_restart_and_are_answered()
    {
        using var data = new TempFolder("trainer-requests");
        var running = new RetrainRequested(Guid.NewGuid(), "test", "running", DateTimeOffset.UtcNow);
        var waiting = new RetrainRequested(Guid.NewGuid(), "test", "waiting", DateTimeOffset.UtcNow);
        await Task.Run(async () =>
        {
            using var first = BuildHost(data, epochs: 100_000);
            await first.StartAsync(Ct);
            var harness = first.Services.GetTestHarness();
            var coordinator = first.Services.GetRequiredService<TrainingCoordinator>();
            await harness.Bus.Publish(running, Ct);
            while (!coordinator.IsTraining)
            {
                await Task.Delay(10, Ct);
            }

            await harness.Bus.Publish(waiting, Ct);
            Assert.True(await harness.Consumed.Any<RetrainRequested>(m => m.Context.Message.CorrelationId == waiting.CorrelationId, Ct));
            // Acked: the broker would not deliver it again. The process stops in the middle of the training.
            await first.StopAsync(Ct);
            Assert.Empty(first.Services.GetRequiredService<ModelRegistry>().List());
        });

        await Task.Run(async () =>
        {
            using var second = BuildHost(data, epochs: 3);
            var finished = FirstRunAsync(second);
            await second.StartAsync(Ct);
            Assert.NotNull(await finished);
            var answered = Answered(second);
            Assert.Contains(running.CorrelationId, answered);
            Assert.Contains(waiting.CorrelationId, answered);
            Assert.Equal(1, second.Services.GetRequiredService<TrainingCoordinator>().CompletedRuns);
            await second.StopAsync(Ct);
        });

        // Answered requests are gone: a third start trains nothing and sends nothing.
        using var third = BuildHost(data, epochs: 3);
        await third.StartAsync(Ct);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        Assert.Empty(Answered(third));
        Assert.False(third.Services.GetRequiredService<TrainingCoordinator>().IsTraining);
        await third.StopAsync(Ct);
    }

    [Fact]
    public async Task An_outbox_record_for_a_missing_folder_or_naming_another_file_is_dropped_not_sent()
    {
        using var data = new TempFolder("trainer-forged");
        var journal = new TrainerJournal(new DataDirectory(data.Path));
        var forged = new ModelPublished("no-such-model", Guid.NewGuid(), new Uri(Path.Combine(data.Path, "models", "no-such-model")),
            ImmutableDictionary<string, double>.Empty, DateTimeOffset.UtcNow);
        journal.AddOutbox(new OutboxEntry("no-such-model", true, DateTimeOffset.UtcNow, [forged], []));
        // A record whose content would make its removal delete a file outside the outbox.
        var victim = Path.Combine(data.Path, "victim.json");
        await File.WriteAllTextAsync(victim, "{}", Ct);
        var outbox = Path.Combine(data.Path, "trainer", "outbox");
        await File.WriteAllTextAsync(
            Path.Combine(outbox, "x.json"),
            $$"""{"version":"../../victim","publish":false,"decidedAt":"2026-01-01T00:00:00Z","published":[],"rejected":[]}""", Ct);
        await File.WriteAllTextAsync(Path.Combine(outbox, "broken.json"), "{ not json", Ct);
        // A write the previous process did not finish.
        await File.WriteAllTextAsync(Path.Combine(outbox, "v.json.0123.tmp"), "{", Ct);

        using var host = BuildHost(data, epochs: 3);
        await host.StartAsync(Ct);
        var harness = host.Services.GetTestHarness();
        while (Directory.EnumerateFiles(outbox).Any())
        {
            await Task.Delay(10, Ct);
        }

        await harness.InactivityTask;
        Assert.Empty(Answered(host));
        Assert.True(File.Exists(victim));
        Assert.Null(ModelFolder.Live(host.Services.GetRequiredService<ModelRegistry>()));
        await host.StopAsync(Ct);
    }
}
