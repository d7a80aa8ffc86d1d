using VmNet.Ingest;

namespace VmNet.Ingest.Tests;

public sealed class IngestSourceTests
{
    [Theory]
    [InlineData("dQw4w9WgXcQ", SourceKind.YouTube)]
    [InlineData("a_b-C1234xy", SourceKind.YouTube)]
    [InlineData("dQw4w9WgXc", SourceKind.LocalPath)]
    [InlineData("dQw4w9WgXcQQ", SourceKind.LocalPath)]
    [InlineData("dQw4w9Wg;cQ", SourceKind.LocalPath)]
    [InlineData("$(rm -rf /)", SourceKind.LocalPath)]
    [InlineData("https://example.org/a.mp4", SourceKind.Url)]
    [InlineData("HTTP://example.org/a.mp4", SourceKind.Url)]
    [InlineData("./dQw4w9WgXcQ", SourceKind.LocalPath)]
    public void Classifies_sources(string source, SourceKind expected) =>
        Assert.Equal(expected, IngestSource.Classify(source));
}
