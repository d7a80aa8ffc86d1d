using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace VmNet.Commands;

/// <summary>
/// One JSON style for every <c>--json</c> output: one line (a document per line, for jq and for scripts), web casing,
/// nulls left out, enums as strings, non-ASCII text as itself, NaN and infinities as named literals.
/// </summary>
public static class CliJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Writes <paramref name="value"/> as one JSON document line on stdout.</summary>
    public static void Print<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));
}
