using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VmNet.Contracts.Tests;

/// <summary>
/// The wire shape of contract records, read by reflection the way MassTransit's System.Text.Json serializer writes
/// them: camelCase names, one type word per field (<c>string</c>, <c>uuid</c>, <c>date-time</c>, <c>MediaKind</c>,
/// <c>array&lt;SuggestedTrack&gt;</c>, …; <c>enum:N</c> for an enum member), a trailing <c>?</c> when the field may be absent. Records and enums they
/// use are listed beside the messages, so a field's type word names them.
/// </summary>
internal static class ContractShape
{
    /// <summary>The type word of an enum member, before its number.</summary>
    public const string EnumMember = "enum:";

    /// <summary>Every type's fields (records) or members (enums), keyed by type name, in declaration order.</summary>
    public static SortedDictionary<string, List<(string Name, string Type)>> Of(IEnumerable<Type> messages)
    {
        var shapes = new SortedDictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        var pending = new Queue<Type>(messages);

        // NullabilityInfoContext caches what it has read in a plain dictionary and is not thread-safe: a static one
        // shared by tests running in parallel threw "An item with the same key has already been added".
        var nullability = new NullabilityInfoContext();
        while (pending.TryDequeue(out var type))
        {
            if (shapes.ContainsKey(type.Name))
            {
                continue;
            }

            if (type.IsEnum)
            {
                // A member's number is what goes over the wire: renumbering one is a change of type.
                shapes[type.Name] = [.. Enum.GetValues(type).Cast<object>().Select(v => (
                    JsonNamingPolicy.CamelCase.ConvertName(v.ToString()!),
                    EnumMember + Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture)))];
                continue;
            }

            var fields = new List<(string, string)>();
            foreach (var parameter in PrimaryConstructor(type).GetParameters())
            {
                var property = type.GetProperty(parameter.Name!)!;
                var nullable = nullability.Create(property).ReadState == NullabilityState.Nullable;
                fields.Add((JsonNamingPolicy.CamelCase.ConvertName(property.Name), Word(property.PropertyType, pending) + (nullable ? "?" : "")));
            }

            shapes[type.Name] = fields;
        }

        return shapes;
    }

    /// <summary>The shapes as the snapshot file stores them: { "Type": { "field": "type word" } }.</summary>
    public static JsonObject ToJson(SortedDictionary<string, List<(string Name, string Type)>> shapes)
    {
        var root = new JsonObject();
        foreach (var (type, fields) in shapes)
        {
            var o = new JsonObject();
            foreach (var (name, word) in fields)
            {
                o[name] = word;
            }

            root[type] = o;
        }

        return root;
    }

    public static SortedDictionary<string, List<(string Name, string Type)>> FromJson(JsonObject root)
    {
        var shapes = new SortedDictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        foreach (var (type, fields) in root)
        {
            shapes[type] = [.. fields!.AsObject().Select(f => (f.Key, f.Value!.GetValue<string>()))];
        }

        return shapes;
    }

    /// <summary>
    /// What <paramref name="current"/> breaks of <paramref name="baseline"/>: a type, field or enum member gone, or a
    /// field whose type word changed. A rename shows as one gone. Anything added is no break.
    /// </summary>
    public static List<string> Breaks(
        SortedDictionary<string, List<(string Name, string Type)>> baseline,
        SortedDictionary<string, List<(string Name, string Type)>> current)
    {
        var breaks = new List<string>();
        foreach (var (type, fields) in baseline)
        {
            if (!current.TryGetValue(type, out var now))
            {
                breaks.Add($"{type}: removed");
                continue;
            }

            var nowByName = now.ToDictionary(f => f.Name, f => f.Type, StringComparer.Ordinal);
            foreach (var (name, word) in fields)
            {
                if (!nowByName.TryGetValue(name, out var nowWord))
                {
                    breaks.Add($"{type}.{name}: removed or renamed");
                }
                else if (nowWord != word)
                {
                    breaks.Add($"{type}.{name}: type changed from {word} to {nowWord}");
                }
            }
        }

        return breaks;
    }

    public static ConstructorInfo PrimaryConstructor(Type record) =>
        record.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();

    private static string Word(Type type, Queue<Type> pending)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return Word(inner, pending);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>))
        {
            return $"array<{Word(type.GetGenericArguments()[0], pending)}>";
        }

        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(ImmutableDictionary<,>) || type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
            && type.GetGenericArguments()[0] == typeof(string))
        {
            return $"map<{Word(type.GetGenericArguments()[1], pending)}>";
        }

        if (type == typeof(string))
        {
            return "string";
        }

        if (type == typeof(Guid))
        {
            return "uuid";
        }

        if (type == typeof(Uri))
        {
            return "uri";
        }

        if (type == typeof(DateTimeOffset))
        {
            return "date-time";
        }

        if (type == typeof(bool))
        {
            return "boolean";
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return "integer";
        }

        if (type == typeof(float) || type == typeof(double))
        {
            return "number";
        }

        if (type.Namespace == typeof(IngestRequested).Namespace)
        {
            pending.Enqueue(type);
            return type.Name;
        }

        throw new NotSupportedException($"{type} has no wire word: add one to {nameof(ContractShape)}");
    }
}
