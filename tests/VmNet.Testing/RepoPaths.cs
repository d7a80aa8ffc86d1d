namespace VmNet.Testing;

/// <summary>Where the repository and its test data are, found from the test binary upwards.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string TestData => Path.Combine(Root, "tests", "data");

    private static string FindRoot()
    {
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
