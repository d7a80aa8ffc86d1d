namespace VmNet.Testing;

/// <summary>Where the repository and its test data are, found from the test binary upwards.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string TestData => Path.Combine(Root, "tests", "data");

    private static string FindRoot()
    {
        // Baked in at build time, so tests built with --artifacts-path elsewhere still find the repository.
        var baked = typeof(RepoPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
        if (baked is not null && File.Exists(Path.Combine(baked, "VmNet.Services.sln")))
        {
            return Path.GetFullPath(baked);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VmNet.Services.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("VmNet.Services.sln not found above " + AppContext.BaseDirectory);
    }
}
