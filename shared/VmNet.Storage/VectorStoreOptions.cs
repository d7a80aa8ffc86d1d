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

    /// <summary>
    /// How the HNSW graph holds its vectors. Int8 (default) walks the graph on 1-byte components, a quarter of the
    /// memory traffic of Float32; the candidates it finds are then rescored exactly on the records' float vectors,
    /// so scores and order are exact and only recall depends on it (figures: services/search/README.md).
    /// </summary>
    public VectorQuantization Quantization { get; set; } = VectorQuantization.Int8;

    /// <summary>Candidates fetched from the graph per result wanted, then rescored exactly (1 = no oversampling).</summary>
    public int RescoreFactor { get; set; } = 3;

    /// <summary>
    /// Generations kept for rollback besides the live one (<see cref="Catalogue.GenerationRetention"/>): after each
    /// activation the embedder drops older ones from memory and disk (embedded) or deletes their collections (Qdrant),
    /// with their model folders. 0 keeps only the live generation.
    /// </summary>
    public int RetainGenerations { get; set; } = Catalogue.GenerationRetention.DefaultRetain;

    public QdrantOptions Qdrant { get; set; } = new();
}

/// <summary>The scalar type of the vectors inside the embedded HNSW graph.</summary>
public enum VectorQuantization
{
    Float32,
    Float16,
    Int8,
}

public sealed class QdrantOptions
{
    /// <summary>The gRPC endpoint, e.g. http://localhost:6334.</summary>
    public string? Url { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Collections are <c>{Prefix}_{generation}</c>; the live alias is <c>{Prefix}_live</c>.</summary>
    public string Prefix { get; set; } = "vmnet";
}
