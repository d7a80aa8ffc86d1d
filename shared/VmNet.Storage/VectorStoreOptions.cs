namespace VmNet.Storage;

public enum VectorStoreKind
{
    /// <summary>USearch HNSW in process, SQLite under the data dir: one machine.</summary>
    Embedded,

    /// <summary>A Qdrant server: one collection per generation, an alias for the live one.</summary>
    Qdrant,
}

/// <summary>The <c>VectorStore</c> configuration section (env: <c>VectorStore__Kind</c>, <c>VectorStore__Qdrant__Url</c>, ...).</summary>
public sealed class VectorStoreOptions
{
    public const string Section = "VectorStore";

    public VectorStoreKind Kind { get; set; } = VectorStoreKind.Embedded;

    /// <summary>HNSW edges per node (USearch connectivity, "M").</summary>
    public int Connectivity { get; set; } = 16;

    /// <summary>
    /// Candidates kept while inserting (efConstruction). 64 inserts about twice as fast as 128 with the same
    /// recall@10 on clustered vectors (`vmnet bench store`).
    /// </summary>
    public int ExpansionAdd { get; set; } = 64;

    /// <summary>
    /// Candidates kept while searching (ef); the recall/latency knob. The default keeps recall@10 above 0.98 at 200K
    /// vectors whatever the build (figures: services/embedder/README.md, `vmnet bench store`).
    /// </summary>
    public int ExpansionSearch { get; set; } = 96;

    public QdrantOptions Qdrant { get; set; } = new();
}

public sealed class QdrantOptions
{
    /// <summary>The gRPC endpoint, e.g. http://localhost:6334.</summary>
    public string? Url { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Collections are <c>{Prefix}_{generation}</c>; the live alias is <c>{Prefix}_live</c>.</summary>
    public string Prefix { get; set; } = "vmnet";
}
