using Microsoft.Data.Sqlite;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.Storage;
using VmNet.Testing;

namespace VmNet.Search.Tests;

/// <summary>What every <see cref="ISoundtrackLedger"/> must do: the first suggestion per media id and model wins.</summary>
public abstract class SoundtrackLedgerContract
{
    private static readonly DateTimeOffset At = new(2025, 6, 7, 8, 9, 10, 123, TimeSpan.Zero);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A ledger over the same backing store as every earlier call in this test (another search process).</summary>
    private protected abstract Task<ISoundtrackLedger> OpenAsync();

    [Fact]
    public async Task TheFirstSuggestionWinsAndEveryProcessReadsItBack()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();
        var a = new StoredSuggestion("m1", "v1", [new SuggestedTrack("t1", 0.9f), new SuggestedTrack("t2", 0.5f)], At);
        var b = a with { Tracks = [new SuggestedTrack("t3", 0.7f)], SuggestedAt = At.AddMinutes(1) };

        var stored = await first.AddOrGetAsync(a, Ct);
        var again = await second.AddOrGetAsync(b, Ct);

        Assert.Equal(a.Tracks, stored.Tracks);
        Assert.Equal(a.Tracks, again.Tracks);
        Assert.Equal(At, again.SuggestedAt);
        Assert.Equal(a.Tracks, (await second.FindAsync("m1", "v1", Ct))!.Tracks);
    }

    [Fact]
    public async Task EachModelVersionHasItsOwnSuggestionAndAnUnknownKeyIsNull()
    {
        var ledger = await OpenAsync();
        await ledger.AddOrGetAsync(new StoredSuggestion("m1", "v1", [new SuggestedTrack("t1", 0.9f)], At), Ct);
        var v2 = await ledger.AddOrGetAsync(new StoredSuggestion("m1", "v2", [new SuggestedTrack("t9", 0.1f)], At), Ct);
        Assert.Equal("t9", v2.Tracks.Single().MediaId);
        Assert.Null(await ledger.FindAsync("m1", "v3", Ct));
        Assert.Null(await ledger.FindAsync("m2", "v1", Ct));
    }

    [Fact]
    public async Task ATakedownForgetsTheItemsOwnSuggestionsAndEveryOneThatNamesItAsATrack()
    {
        var ledger = await OpenAsync();
        await ledger.AddOrGetAsync(new StoredSuggestion("gone", "v1", [new SuggestedTrack("t1", 0.9f)], At), Ct);
        await ledger.AddOrGetAsync(new StoredSuggestion("gone", "v2", [new SuggestedTrack("t1", 0.9f)], At), Ct);
        await ledger.AddOrGetAsync(new StoredSuggestion("video-a", "v1", [new SuggestedTrack("t1", 0.9f), new SuggestedTrack("gone", 0.5f, new MediaMetadata(Title: "Gone"))], At), Ct);
        await ledger.AddOrGetAsync(new StoredSuggestion("video-b", "v1", [new SuggestedTrack("t1", 0.9f), new SuggestedTrack("gone-not", 0.4f)], At), Ct);

        Assert.Equal(3, await ledger.ForgetAsync("gone", Ct));

        var other = await OpenAsync();
        Assert.Null(await other.FindAsync("gone", "v1", Ct));
        Assert.Null(await other.FindAsync("gone", "v2", Ct));
        Assert.Null(await other.FindAsync("video-a", "v1", Ct));
        Assert.NotNull(await other.FindAsync("video-b", "v1", Ct));
        Assert.Equal(0, await other.ForgetAsync("gone", Ct));
    }

    [Fact]
    public async Task ConcurrentSuggestionsForOneKeyAllReadBackTheSameOne()
    {
        var ledgers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => OpenAsync()));
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => ledgers[i % 4].AddOrGetAsync(
            new StoredSuggestion("race", "v1", [new SuggestedTrack($"t{i}", i)], At), Ct)));
        Assert.Single(answers.Select(a => a.Tracks.Single().MediaId).Distinct());
    }
}

public sealed class SqliteSoundtrackLedgerTests : SoundtrackLedgerContract, IDisposable
{
    private readonly TempFolder _folder = new("ledger-sqlite");

    private protected override Task<ISoundtrackLedger> OpenAsync() => Task.FromResult<ISoundtrackLedger>(new SoundtrackLedger(new DataDirectory(_folder.Path)));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

public sealed class PostgresSoundtrackLedgerTests : SoundtrackLedgerContract, IAsyncLifetime
{
    private readonly List<PostgresDatabase> _opened = [];
    private string _connectionString = string.Empty;

    public async ValueTask InitializeAsync() => _connectionString = await PostgresServer.NewDatabaseAsync("ledger");

    private protected override Task<ISoundtrackLedger> OpenAsync()
    {
        var database = PostgresDatabase.Create(new PostgresOptions { ConnectionString = _connectionString });
        lock (_opened)
        {
            _opened.Add(database);
        }

        return Task.FromResult<ISoundtrackLedger>(new PostgresSoundtrackLedger(database));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }
    }
}
