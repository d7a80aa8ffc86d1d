using System.Xml.Linq;

namespace VmNet.Architecture.Tests;

/// <summary>One <c>ProjectReference</c> or <c>PackageReference</c> as written in an MSBuild file.</summary>
public sealed record Reference(string From, string To)
{
    public override string ToString() => $"{From} → {To}";
}

/// <summary>
/// The dependency rule, read from the MSBuild files (.csproj, .props, .targets): a project under services/X/
/// references only shared/ and services/X/; a project under shared/ references only shared/. The command line
/// (System.CommandLine, Spectre.Console) belongs to host/.
/// </summary>
public static class DependencyRule
{
    public static readonly string[] CommandLinePackages = ["System.CommandLine", "Spectre.Console"];

    /// <summary>Every project reference under <paramref name="folder"/>, the target repository-relative (or as written, when it cannot be resolved).</summary>
    public static IEnumerable<Reference> ProjectReferences(string root, string folder) =>
        Items(root, folder, "ProjectReference").Select(item =>
        {
            var (file, include) = item;
            var directory = Path.GetDirectoryName(Path.Combine(root, file))!;
            var expanded = include
                .Replace("$(MSBuildThisFileDirectory)", directory + "/", StringComparison.OrdinalIgnoreCase)
                .Replace("$(MSBuildProjectDirectory)", directory, StringComparison.OrdinalIgnoreCase)
                .Replace('\\', '/');
            return new Reference(file, expanded.Contains("$(", StringComparison.Ordinal)
                ? include
                : SourceTree.Relative(root, Path.GetFullPath(Path.Combine(directory, expanded))));
        });

    public static IEnumerable<Reference> PackageReferences(string root, string folder) =>
        Items(root, folder, "PackageReference").Select(item => new Reference(item.File, item.Include));

    /// <summary>References from services/ and shared/ that break the rule, each with the rule it breaks.</summary>
    public static IReadOnlyList<string> OffendingProjectReferences(string root)
    {
        var offending = new List<string>();
        foreach (var reference in ProjectReferences(root, "services"))
        {
            var service = string.Join('/', reference.From.Split('/').Take(2)) + "/";
            if (!reference.To.StartsWith("shared/", StringComparison.Ordinal) && !reference.To.StartsWith(service, StringComparison.Ordinal))
            {
                offending.Add($"{reference} ({service} may reference only shared/ and {service})");
            }
        }

        foreach (var reference in ProjectReferences(root, "shared"))
        {
            if (!reference.To.StartsWith("shared/", StringComparison.Ordinal))
            {
                offending.Add($"{reference} (shared/ may reference only shared/)");
            }
        }

        return offending;
    }

    /// <summary>Package references to the command line's libraries outside host/.</summary>
    public static IReadOnlyList<string> OffendingPackageReferences(string root) =>
        [.. new[] { "services", "shared" }
            .SelectMany(folder => PackageReferences(root, folder))
            .Where(r => CommandLinePackages.Any(p => r.To.Equals(p, StringComparison.OrdinalIgnoreCase) || r.To.StartsWith(p + ".", StringComparison.OrdinalIgnoreCase)))
            .Select(r => $"{r} (the command line lives in host/)")];

    private static IEnumerable<(string File, string Include)> Items(string root, string folder, string element) =>
        new[] { "*.csproj", "*.props", "*.targets" }
            .SelectMany(pattern => SourceTree.Files(root, folder, pattern))
            .SelectMany(file => XDocument.Load(Path.Combine(root, file))
                .Descendants()
                .Where(e => e.Name.LocalName == element)
                .SelectMany(e => ((string?)e.Attribute("Include") ?? (string?)e.Attribute("Update") ?? string.Empty)
                    .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Select(include => (file, include)));
}
