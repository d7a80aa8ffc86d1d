using System.Text.RegularExpressions;

namespace VmNet.Architecture.Tests;

/// <summary>The top-level README's architecture section keeps up with the messages and the projects.</summary>
public sealed class RootReadmeTests
{
    public static TheoryData<string> Messages => [.. SourceTree.Contracts(SourceTree.Root)];

    public static TheoryData<string> Projects =>
        [.. SourceTree.ProductionFolders
            .SelectMany(folder => SourceTree.Files(SourceTree.Root, folder, "*.csproj"))
            .Select(project => project[..project.LastIndexOf('/')])];

    [Theory]
    [MemberData(nameof(Messages))]
    public void The_architecture_section_names_every_message(string message)
    {
        Assert.True(
            Regex.IsMatch(ArchitectureSection(), $@"(?<![\w<]){Regex.Escape(message)}\b"),
            $"README.md's '## Architecture' section does not mention {message}");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void The_architecture_section_lists_every_project(string project)
    {
        Assert.True(
            ArchitectureSection().Contains($"`{project}`", StringComparison.Ordinal),
            $"README.md's '## Architecture' section does not list `{project}`");
    }

    private static string ArchitectureSection()
    {
        var readme = File.ReadAllText(Path.Combine(SourceTree.Root, "README.md"));
        var start = readme.IndexOf("\n## Architecture", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## Architecture' section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }
}
