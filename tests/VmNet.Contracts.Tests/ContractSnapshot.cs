using System.Text.Json;
using System.Text.Json.Nodes;
using VmNet.Testing;

namespace VmNet.Contracts.Tests;

/// <summary>The committed files this project checks, and how a person rewrites them (VMNET_WRITE_DOCS=1).</summary>
internal static class ContractSnapshot
{
    public static string V1Path => Path.Combine(RepoPaths.Root, "tests", "VmNet.Contracts.Tests", "contracts.v1.json");

    public static string AsyncApiPath => Path.Combine(RepoPaths.Root, "docs", "asyncapi.yaml");

    public static bool Rewrite => Environment.GetEnvironmentVariable("VMNET_WRITE_DOCS") == "1";

    public static SortedDictionary<string, List<(string Name, string Type)>> Current() => ContractShape.Of(PublicContracts.All);

    public static string ToText(JsonObject json) =>
        json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
