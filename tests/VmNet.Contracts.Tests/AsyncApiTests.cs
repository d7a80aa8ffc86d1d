using System.Text.Json;
using MassTransit.Serialization;
using VmNet.Testing;
using YamlDotNet.Serialization;

namespace VmNet.Contracts.Tests;

/// <summary>docs/asyncapi.yaml is generated from the records, matches MassTransit's real JSON, and is valid AsyncAPI 3.</summary>
public sealed class AsyncApiTests(ITestOutputHelper output)
{
    [Fact]
    public void The_AsyncAPI_document_is_the_one_the_contracts_generate()
    {
        var expected = Generate();
        if (ContractSnapshot.Rewrite)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ContractSnapshot.AsyncApiPath)!);
            File.WriteAllText(ContractSnapshot.AsyncApiPath, expected);
        }

        var actual = File.Exists(ContractSnapshot.AsyncApiPath) ? File.ReadAllText(ContractSnapshot.AsyncApiPath) : "";
        Assert.True(
            expected == actual,
            "docs/asyncapi.yaml is not what shared/VmNet.Contracts generates: run "
            + "`VMNET_WRITE_DOCS=1 dotnet test tests/VmNet.Contracts.Tests -c Release` and commit the file. First difference at line "
            + FirstDifference(expected, actual));
    }

    [Fact]
    public void Every_public_message_is_written_by_MassTransit_as_the_document_says()
    {
        var shapes = ContractSnapshot.Current();
        foreach (var type in PublicContracts.All)
        {
            var json = JsonSerializer.SerializeToElement(Samples.Of(type), type, SystemTextJsonMessageSerializer.Options);
            var written = json.EnumerateObject().Select(p => p.Name).ToList();
            var declared = shapes[type.Name].Select(f => f.Name).ToList();
            Assert.Equal(declared, written);
            var back = JsonSerializer.Deserialize(json, type, SystemTextJsonMessageSerializer.Options);
            Assert.Equal(json.GetRawText(), JsonSerializer.Serialize(back, type, SystemTextJsonMessageSerializer.Options));
        }
    }

    [Fact]
    public async Task The_AsyncAPI_CLI_finds_the_document_valid()
    {
        var tools = Path.Combine(RepoPaths.Root, "tools", "asyncapi");
        await NodeTools.NpmCiAsync(tools);
        var (code, text) = await NodeTools.RunAsync(tools, "npm", ["run", "--silent", "validate"], TimeSpan.FromMinutes(3));
        output.WriteLine(text);
        Assert.True(code == 0, $"asyncapi validate failed ({code}):\n{text}");
    }

    internal static string Generate()
    {
        var shapes = ContractSnapshot.Current();
        var document = AsyncApiDocument.Build(shapes, Samples.EnumWire(shapes));
        var yaml = new SerializerBuilder().DisableAliases().WithQuotingNecessaryStrings().Build().Serialize(document);
        return "# Generated from shared/VmNet.Contracts by tests/VmNet.Contracts.Tests (AsyncApiDocument.cs); do not edit by hand.\n" + yaml;
    }

    private static int FirstDifference(string a, string b)
    {
        var x = a.Split('\n');
        var y = b.Split('\n');
        for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            if (x[i] != y[i])
            {
                return i + 1;
            }
        }

        return Math.Min(x.Length, y.Length) + 1;
    }
}
