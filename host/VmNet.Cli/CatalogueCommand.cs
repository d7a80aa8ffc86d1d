using System.CommandLine;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using VmNet.Catalogue;
using VmNet.Commands;
using VmNet.Contracts;
using MassTransit;
using VmNet.Embedder;
using VmNet.Hosting;
using VmNet.Search;
using VmNet.Media;

namespace VmNet.Cli;

/// <summary>
/// <c>vmnet catalogue list [--kind] [--label k=v]... [--status] [--limit N] [--json]</c> and
/// <c>vmnet catalogue show ID | --external-id X [--json]</c>: the catalogue of the local data dir (the embedded default,
/// or a machine that shares the data dir); remote platforms use the GetMedia / ListMedia RPCs.
/// <c>vmnet catalogue remove ID | --external-id X [--reason R] [--timeout S] [--json]</c>: a takedown, answered by MediaRemoved.
/// </summary>
public static class CatalogueCommand
{
    /// <summary>One half of an item as <c>--json</c> writes it.</summary>
    public sealed record HalfRow(bool HasFeatures, bool Embedded, string? ExtractorVersion, string? Failure, DateTimeOffset? FailedAt);

    /// <summary>One item as <c>--json</c> writes it.</summary>
    public sealed record ItemRow(
        string MediaId, string Kind, string Status, double DurationSeconds, double? TempoBpm,
        string? Source, string? Title, string? Artist, string? Album, string? ExternalId, IReadOnlyDictionary<string, string>? Labels,
        string? Model, HalfRow Music, HalfRow Video, DateTimeOffset UpdatedAt);

    public static Command Create()
    {
        var kind = new Option<MediaKind?>("--kind") { Description = "Only items of this kind: pair, video or music" };
        kind.AcceptOnlyFromAmong("pair", "video", "music");
        var labels = new Option<string[]>("--label")
        {
            Description = "Only items with this label key=value; repeat to require several",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var status = new Option<CatalogueStatus?>("--status") { Description = "Only items that are pending, ready or failed" };
        status.AcceptOnlyFromAmong("pending", "ready", "failed");
        var limit = new Option<int>("--limit") { Description = "Most items to list", DefaultValueFactory = _ => 1000 };
        var list = new Command("list", "List catalogue items in media-id order: who each is and where it stands.") { kind, labels, status, limit };
        list.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(limit) < 1)
            {
                throw new UsageException("--limit must be at least 1");
            }

            var filter = new CatalogueFilter(parse.GetValue(kind), Labels(parse.GetValue(labels) ?? []), parse.GetValue(status));
            return await ListAsync(CommandContext.From(parse), filter, parse.GetValue(limit), ct);
        });

        var id = new Argument<string?>("id") { Description = "The media id (32 lower-case hex characters)", Arity = ArgumentArity.ZeroOrOne };
        var externalId = new Option<string?>("--external-id") { Description = "Look the item up by the id your platform gave at ingest" };
        var show = new Command("show", "Show one item: its metadata, status, and each half's features, embedding and failure.") { id, externalId };
        show.SetAction(async (parse, ct) =>
        {
            var (byId, byExternal) = (parse.GetValue(id), parse.GetValue(externalId));
            CheckItem(byId, byExternal);

            return await ShowAsync(CommandContext.From(parse), byId, byExternal, ct);
        });

        var removeId = new Argument<string?>("id") { Description = "The media id (32 lower-case hex characters)", Arity = ArgumentArity.ZeroOrOne };
        var removeExternal = new Option<string?>("--external-id") { Description = "Remove the item your platform gave this id at ingest" };
        var reason = new Option<string?>("--reason") { Description = "Why (for the logs), e.g. \"licence ended\"" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for MediaRemoved", DefaultValueFactory = _ => 120 };
        var remove = new Command(
            "remove",
            "Take an item down: every role forgets it (features, metadata, vectors of every generation, media parts, caches, "
            + "suggestions); waits for MediaRemoved. The same bytes are not ingested again.") { removeId, removeExternal, reason, timeout };
        remove.SetAction(async (parse, ct) =>
        {
            var (byId, byExternal) = (parse.GetValue(removeId), parse.GetValue(removeExternal));
            CheckItem(byId, byExternal);

            if (parse.GetValue(timeout) is var seconds and < 1)
            {
                throw new UsageException("--timeout must be at least 1 second");
            }

            var request = new MediaRemovalRequested(
                Guid.NewGuid(), byId, byExternal, $"vmnet catalogue remove ({Environment.UserName}@{Environment.MachineName})",
                DateTimeOffset.UtcNow, MediaLabels.CleanTag(parse.GetValue(reason)));
            return await RemoveAsync(CommandContext.From(parse), request, TimeSpan.FromSeconds(parse.GetValue(timeout)), ct);
        });

        return new Command("catalogue", "Look up catalogue items: who each is (source, tags, external id, labels) and where it stands; take one down.")
        {
            list, show, remove,
        };
    }

    private static IReadOnlyDictionary<string, string>? Labels(string[] pairs)
    {
        try
        {
            return MediaLabels.Parse(pairs);
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static WebApplication BuildHost(CommandContext context) => context.BuildClient(b => b.AddEmbedderServices());

    private static async Task<int> ListAsync(CommandContext context, CatalogueFilter filter, int limit, CancellationToken ct)
    {
        await using var host = BuildHost(context);
        var catalogue = host.Services.GetRequiredService<IFeatureCatalogue>();
        var store = host.Services.GetRequiredService<IVectorStore>();
        var rows = new List<ItemRow>();
        string? after = null;
        do
        {
            var page = await catalogue.ListPageAsync(filter, after, Math.Min(500, limit - rows.Count), ct);
            foreach (var item in page.Items)
            {
                rows.Add(Row(await CatalogueEntry.OfAsync(item, store, ct)));
            }

            after = page.Next;
        }
        while (after is not null && rows.Count < limit);

        if (context.Json)
        {
            CliJson.Print(rows);
        }
        else
        {
            foreach (var row in rows)
            {
                Console.WriteLine(Line(row));
            }
        }

        return 0;
    }

    private static async Task<int> ShowAsync(CommandContext context, string? mediaId, string? externalId, CancellationToken ct)
    {
        await using var host = BuildHost(context);
        var catalogue = host.Services.GetRequiredService<IFeatureCatalogue>();
        var item = mediaId is not null ? await catalogue.GetAsync(mediaId, ct) : await catalogue.FindByExternalIdAsync(externalId!, ct);
        if (item is null)
        {
            throw new InvalidOperationException(mediaId is not null ? $"no media {mediaId} in the catalogue" : $"no media with external id {externalId} in the catalogue");
        }

        var row = Row(await CatalogueEntry.OfAsync(item, host.Services.GetRequiredService<IVectorStore>(), ct));
        if (context.Json)
        {
            CliJson.Print(row);
        }
        else
        {
            Console.WriteLine(Line(row));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.Kind}, {row.DurationSeconds:0.0} s{(row.TempoBpm is { } t ? $", {t:0} BPM" : "")}, album {row.Album ?? "-"}, updated {row.UpdatedAt:u}"));
            Console.WriteLine($"  music: {Half(row.Music, row.Model)}");
            Console.WriteLine($"  video: {Half(row.Video, row.Model)}");
        }

        return 0;
    }

    // On RabbitMQ the workers do the removal and this process only publishes and waits; on the in-memory bus the
    // embedder's and search's takedown parts run here, on the local data dir.
    private static async Task<int> RemoveAsync(CommandContext context, MediaRemovalRequested request, TimeSpan timeout, CancellationToken ct)
    {
        await using var host = context.OnRabbitMq
            ? context.BuildClient(b => b.AddPipelineEvents())
            : context.BuildClient(b =>
            {
                b.AddEmbedderTakedown();
                b.AddSearchTakedown();
                b.AddPipelineEvents();
            });
        await host.StartAsync(ct);
        var events = host.Services.GetRequiredService<PipelineEvents>();
        var answered = events.WaitRemovedAsync(request.CorrelationId, timeout, ct);
        await host.Services.GetRequiredService<IBus>().Publish<MediaRemovalRequested>(request, ct);
        MediaRemoved removed;
        try
        {
            removed = await answered;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no MediaRemoved within {timeout.TotalSeconds:0} s (correlation {request.CorrelationId}); the removal goes on when the embedder runs");
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }

        if (removed.Outcome == RemovalOutcome.NotFound)
        {
            throw new InvalidOperationException(removed.Reason ?? "no such media");
        }

        if (context.Json)
        {
            CliJson.Print(removed);
        }
        else
        {
            var external = removed.ExternalId is null ? string.Empty : $" (external id {removed.ExternalId})";
            Console.WriteLine(removed.Outcome == RemovalOutcome.AlreadyRemoved
                ? $"{removed.MediaId}{external} was removed before; nothing left to do"
                : $"{removed.MediaId}{external} removed: catalogue, vectors of every generation, media files and suggestions");
        }

        return 0;
    }

    private static ItemRow Row(CatalogueEntry entry)
    {
        var item = entry.Item;
        var about = item.Metadata ?? new MediaMetadata();
        HalfRow Half(HalfState h) => new(h.HasFeatures, h.Embedded, h.ExtractorVersion, h.Failure?.Reason, h.Failure?.FailedAt);
        return new ItemRow(
            item.MediaId, item.Kind.ToString().ToLowerInvariant(), entry.Status.ToString().ToLowerInvariant(), item.DurationSeconds, item.TempoBpm,
            about.Source, about.Title, about.Artist, about.Album, about.ExternalId, about.Labels,
            entry.Model, Half(entry.Music), Half(entry.Video), item.UpdatedAt);
    }

    // One readable line: id, kind, status, "title — artist" (else the source), external id, labels.
    private static string Line(ItemRow row)
    {
        var name = row.Title is null ? row.Source ?? "(untitled)" : row.Artist is null ? row.Title : $"{row.Title} — {row.Artist}";
        var labels = row.Labels is null ? string.Empty : "  " + string.Join(' ', row.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        var external = row.ExternalId is null ? string.Empty : $"  external id {row.ExternalId}";
        var source = row.Title is not null && row.Source is not null ? $"  source {row.Source}" : string.Empty;
        return $"{row.MediaId}  {row.Kind,-5}  {row.Status,-7}  {name}{source}{external}{labels}";
    }

    private static string Half(HalfRow half, string? model) =>
        half.Failure is { } failure ? $"failed: {failure}"
        : !half.HasFeatures ? "no features"
        : half.Embedded ? $"embedded under model {model}"
        : model is null ? $"features ({half.ExtractorVersion}), no model live yet"
        : $"features ({half.ExtractorVersion}), not embedded under model {model}";

    // The item a subcommand names: exactly one of a well-formed media id or external id, checked before any work.
    private static void CheckItem(string? byId, string? byExternal)
    {
        if ((byId is null) == (byExternal is null))
        {
            throw new UsageException("give exactly one of ID or --external-id X");
        }

        if (byId is not null && !MediaId.IsValid(byId))
        {
            throw new UsageException($"'{MediaLabels.CleanTag(byId, 40)}' is not a media id (32 lower-case hex characters)");
        }

        if (MediaLabels.ExternalIdError(byExternal) is { } error)
        {
            throw new UsageException(error);
        }
    }
}
