using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using VmNet.Catalogue;
using VmNet.Contracts;

namespace VmNet.Storage;

public sealed partial class EmbeddedVectorStore
{
    public async Task<int> DeleteMediaAsync(IReadOnlyCollection<string> mediaIds, CancellationToken cancellationToken)
    {
        if (mediaIds.Count == 0)
        {
            return 0;
        }

        var deleted = 0;
        foreach (var generation in _generations.Values)
        {
            // The generation's writer gate: an upsert batch and this delete never interleave between SQLite and the graph.
            await generation.WriteGate.WaitAsync(cancellationToken);
            try
            {
                await using (var connection = Sqlite.Open(_path))
                {
                    // The vectors' pages are zeroed when freed, not left readable in the file.
                    Sqlite.Execute(connection, "PRAGMA secure_delete = ON");
                    await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                    await using var command = connection.CreateCommand();
                    command.Transaction = transaction;
                    command.CommandText = "DELETE FROM vectors WHERE generation = $generation AND media_id = $id";
                    command.Parameters.AddWithValue("$generation", generation.Name);
                    var id = command.Parameters.Add("$id", SqliteType.Text);
                    foreach (var mediaId in mediaIds)
                    {
                        id.Value = mediaId;
                        await command.ExecuteNonQueryAsync(cancellationToken);
                    }

                    await transaction.CommitAsync(cancellationToken);
                }

                // After the commit, as for upserts: a crash in between leaves the database right and the next start rebuilds.
                _written = true;
                var count = 0;
                foreach (var modality in Enum.GetValues<Modality>())
                {
                    count += generation.Index(modality).Remove(mediaIds);
                }

                if (count > 0)
                {
                    LogDeleted(generation.Name, count);
                }

                deleted += count;
            }
            finally
            {
                generation.WriteGate.Release();
            }
        }

        return deleted;
    }

    [LoggerMessage(4107, LogLevel.Information, "Vector generation {Generation}: {Count} vectors deleted")]
    private partial void LogDeleted(string generation, int count);
}
