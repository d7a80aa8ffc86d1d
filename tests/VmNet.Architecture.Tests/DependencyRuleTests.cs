using VmNet.Testing;

namespace VmNet.Architecture.Tests;

/// <summary>services/X builds on shared/ and itself only, shared/ on shared/ only, and the command line stays in host/.</summary>
public sealed class DependencyRuleTests
{
    [Fact]
    public void Services_and_shared_projects_reference_only_what_the_dependency_rule_allows()
    {
        var offending = DependencyRule.OffendingProjectReferences(SourceTree.Root);

        Assert.True(offending.Count == 0, "References that break the dependency rule:\n" + string.Join('\n', offending));
    }

    [Fact]
    public void The_rule_sees_the_references_that_exist()
    {
        // Guards the test above against passing because it read nothing.
        var references = DependencyRule.ProjectReferences(SourceTree.Root, "services").ToList();

        Assert.Contains(new Reference("services/embedder/VmNet.Embedder/VmNet.Embedder.csproj", "shared/VmNet.Storage/VmNet.Storage.csproj"), references);
        Assert.Contains(new Reference("services/trainer/VmNet.Trainer/VmNet.Trainer.csproj", "services/trainer/VmNet.Training/VmNet.Training.csproj"), references);
        Assert.NotEmpty(DependencyRule.ProjectReferences(SourceTree.Root, "shared"));
    }

    [Fact]
    public void No_service_or_shared_project_uses_the_command_line_packages()
    {
        var offending = DependencyRule.OffendingPackageReferences(SourceTree.Root);

        Assert.True(offending.Count == 0, "Command-line packages outside host/:\n" + string.Join('\n', offending));
        Assert.Contains(
            DependencyRule.PackageReferences(SourceTree.Root, "host"),
            r => r.To == "System.CommandLine");
    }

    [Fact]
    public void The_rule_names_each_offending_reference()
    {
        using var tree = new TempFolder("architecture");
        Project(tree, "services/search/VmNet.Search/VmNet.Search.csproj",
            "<ProjectReference Include=\"../../../shared/VmNet.Contracts/VmNet.Contracts.csproj\" />",
            "<ProjectReference Include=\"../VmNet.Search.Client/VmNet.Search.Client.csproj\" />",
            "<ProjectReference Include=\"../../embedder/VmNet.Embedder/VmNet.Embedder.csproj\" />",
            "<ProjectReference Include=\"$(MSBuildThisFileDirectory)../../../host/VmNet.Hosting/VmNet.Hosting.csproj\" />",
            "<PackageReference Include=\"Spectre.Console\" />");
        Project(tree, "shared/VmNet.Storage/VmNet.Storage.csproj",
            "<ProjectReference Include=\"..\\VmNet.Catalogue\\VmNet.Catalogue.csproj\" />",
            "<ProjectReference Include=\"../../services/embedder/VmNet.Embedder/VmNet.Embedder.csproj\" />");
        Project(tree, "services/Directory.Build.props", "<PackageReference Include=\"System.CommandLine\" />");

        Assert.Equal(
            [
                "services/search/VmNet.Search/VmNet.Search.csproj → services/embedder/VmNet.Embedder/VmNet.Embedder.csproj (services/search/ may reference only shared/ and services/search/)",
                "services/search/VmNet.Search/VmNet.Search.csproj → host/VmNet.Hosting/VmNet.Hosting.csproj (services/search/ may reference only shared/ and services/search/)",
                "shared/VmNet.Storage/VmNet.Storage.csproj → services/embedder/VmNet.Embedder/VmNet.Embedder.csproj (shared/ may reference only shared/)",
            ],
            DependencyRule.OffendingProjectReferences(tree.Path));
        Assert.Equal(
            [
                "services/search/VmNet.Search/VmNet.Search.csproj → Spectre.Console (the command line lives in host/)",
                "services/Directory.Build.props → System.CommandLine (the command line lives in host/)",
            ],
            DependencyRule.OffendingPackageReferences(tree.Path));
    }

    private static void Project(TempFolder tree, string path, params string[] items)
    {
        var full = Path.Combine(tree.Path, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, $"<Project Sdk=\"Microsoft.NET.Sdk\">\n  <ItemGroup>\n    {string.Join("\n    ", items)}\n  </ItemGroup>\n</Project>\n");
    }
}
