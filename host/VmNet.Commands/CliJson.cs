using System.Text.Json;
using System.Text.Json.Serialization;

namespace VmNet.Commands;

/// <summary>One JSON style for every <c>--json</c> output: web casing, nulls left out, enums as strings, one line.</summary>
public static class CliJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Writes <paramref name="value"/> as one JSON document line on stdout.</summary>
    public static void Print<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));
}
