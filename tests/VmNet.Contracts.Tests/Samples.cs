using System.Collections.Immutable;
using System.Text.Json;
using MassTransit.Serialization;
using VmNet.Contracts;

namespace VmNet.Contracts.Tests;

/// <summary>A filled-in instance of any contract record (every field set, none null), built by reflection.</summary>
internal static class Samples
{
    public static object Of(Type type)
    {
        var constructor = ContractShape.PrimaryConstructor(type);
        return constructor.Invoke([.. constructor.GetParameters().Select(p => Value(p.ParameterType))]);
    }

    /// <summary>How MassTransit writes each enum member, keyed "Type.member" as <see cref="ContractShape"/> names it.</summary>
    public static Dictionary<string, string> EnumWire(SortedDictionary<string, List<(string Name, string Type)>> shapes)
    {
        var wire = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, fields) in shapes.Where(s => s.Value.All(f => f.Type.StartsWith(ContractShape.EnumMember, StringComparison.Ordinal))))
        {
            var type = typeof(IngestRequested).Assembly.GetType($"{typeof(IngestRequested).Namespace}.{name}")!;
            foreach (var value in Enum.GetValues(type))
            {
                var member = JsonNamingPolicy.CamelCase.ConvertName(value.ToString()!);
                var written = JsonSerializer.SerializeToElement(value, type, SystemTextJsonMessageSerializer.Options);
                wire[$"{name}.{member}"] = written.ValueKind == JsonValueKind.String ? written.GetString()! : written.GetRawText();
            }

            _ = fields;
        }

        return wire;
    }

    private static object Value(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return Value(inner);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>))
        {
            var item = type.GetGenericArguments()[0];
            var array = Array.CreateInstance(item, 1);
            array.SetValue(Value(item), 0);
            return typeof(ImmutableArray).GetMethods()
                .Single(m => m.Name == nameof(ImmutableArray.Create) && m.GetParameters() is [{ ParameterType.IsArray: true }])
                .MakeGenericMethod(item).Invoke(null, [array])!;
        }

        if (type == typeof(IReadOnlyDictionary<string, string>))
        {
            return new Dictionary<string, string> { ["mood"] = "calm" };
        }

        if (type == typeof(ImmutableDictionary<string, double>))
        {
            return ImmutableDictionary<string, double>.Empty.Add("val.R@10", 0.25);
        }

        if (type.IsEnum)
        {
            return Enum.GetValues(type).GetValue(1)!;
        }

        return type switch
        {
            _ when type == typeof(string) => "text",
            _ when type == typeof(Guid) => Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
            _ when type == typeof(Uri) => new Uri("file:///data/media/a.wav"),
            _ when type == typeof(DateTimeOffset) => new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero),
            _ when type == typeof(bool) => true,
            _ when type == typeof(int) => 3,
            _ when type == typeof(double) => 0.5,
            _ when type == typeof(float) => 0.25f,
            _ => Of(type),
        };
    }
}
