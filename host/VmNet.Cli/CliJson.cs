using System.Text.Json;
using System.Text.Json.Serialization;

namespace VmNet.Cli;

/// <summary>One JSON style for every <c>--json</c> output of the host's commands.</summary>
public static class CliJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
