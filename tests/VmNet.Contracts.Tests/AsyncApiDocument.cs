using System.Text.RegularExpressions;

namespace VmNet.Contracts.Tests;

/// <summary>
/// docs/asyncapi.yaml, built from the contract records: the prose and the RabbitMQ topology here, every payload
/// from <see cref="ContractShape"/>. <see cref="AsyncApiTests"/> compares it with the committed file.
/// </summary>
internal static class AsyncApiDocument
{
    public const string Exchange = "VmNet.Contracts:";

    public static Dictionary<string, object> Build(SortedDictionary<string, List<(string Name, string Type)>> shapes, IReadOnlyDictionary<string, string> enumWire)
    {
        var channels = new Dictionary<string, object>();
        var operations = new Dictionary<string, object>();
        var messages = new Dictionary<string, object>();
        foreach (var type in PublicContracts.All)
        {
            var name = type.Name;
            var isRequest = PublicContracts.Requests.Contains(type);
            channels[name] = new Dictionary<string, object>
            {
                ["address"] = Exchange + name,
                ["title"] = name,
                ["description"] = isRequest
                    ? $"Publish {name} to this fanout exchange (routing key empty). VmNet's consuming role declares it and binds its own durable queue; a platform only publishes."
                    : $"VmNet publishes {name} to this fanout exchange. To receive it, declare a durable queue of your own (e.g. `myplatform-{Kebab(name)}`) and bind it to the exchange with an empty routing key: the queue keeps answers while your platform is down. Declare the exchange too (fanout, durable), as it exists only once VmNet has published to it or bound to it.",
                ["messages"] = new Dictionary<string, object> { [name] = Ref($"#/components/messages/{name}") },
                ["bindings"] = new Dictionary<string, object>
                {
                    ["amqp"] = new Dictionary<string, object>
                    {
                        ["is"] = "routingKey",
                        ["exchange"] = new Dictionary<string, object>
                        {
                            ["name"] = Exchange + name,
                            ["type"] = "fanout",
                            ["durable"] = true,
                            ["autoDelete"] = false,
                            ["vhost"] = "/",
                        },
                        ["bindingVersion"] = "0.3.0",
                    },
                },
            };
            operations[(isRequest ? "receive" : "send") + name] = new Dictionary<string, object>
            {
                ["action"] = isRequest ? "receive" : "send",
                ["channel"] = Ref($"#/channels/{name}"),
                ["summary"] = isRequest ? $"VmNet consumes {name} a platform publishes." : $"VmNet publishes {name}; a platform binds a queue to receive it.",
                ["messages"] = new List<object> { Ref($"#/channels/{name}/messages/{name}") },
            };
            messages[name] = new Dictionary<string, object>
            {
                ["name"] = name,
                ["title"] = name,
                ["summary"] = Summary(name),
                ["contentType"] = "application/vnd.masstransit+json",
                ["correlationId"] = new Dictionary<string, object>
                {
                    ["description"] = "The id the platform chose for its request; every answer to it carries the same one.",
                    ["location"] = "$message.payload#/message/correlationId",
                },
                ["payload"] = new Dictionary<string, object>
                {
                    ["allOf"] = new List<object>
                    {
                        Ref("#/components/schemas/Envelope"),
                        new Dictionary<string, object>
                        {
                            ["type"] = "object",
                            ["properties"] = new Dictionary<string, object>
                            {
                                ["messageType"] = new Dictionary<string, object>
                                {
                                    ["type"] = "array",
                                    ["contains"] = new Dictionary<string, object> { ["const"] = $"urn:message:VmNet.Contracts:{name}" },
                                },
                                ["message"] = Ref($"#/components/schemas/{name}"),
                            },
                        },
                    },
                },
            };
        }

        var schemas = new Dictionary<string, object> { ["Envelope"] = Envelope() };
        foreach (var (type, fields) in shapes)
        {
            schemas[type] = fields.All(f => f.Type.StartsWith(ContractShape.EnumMember, StringComparison.Ordinal)) ? Enum(type, fields, enumWire) : Record(fields);
        }

        return new Dictionary<string, object>
        {
            ["asyncapi"] = "3.0.0",
            ["info"] = new Dictionary<string, object>
            {
                ["title"] = "VmNet.Services bus",
                ["version"] = "1.0.0",
                ["description"] =
                    "The public messages of VmNet.Services on RabbitMQ (MassTransit 8). A platform publishes IngestRequested "
                    + "(and, as an operator, RetrainRequested or ModelActivationRequested) and receives the answers by binding "
                    + "durable queues of its own to the answer exchanges. Every body is MassTransit's JSON envelope "
                    + "(components/schemas/Envelope) with the record in `message`; every answer carries the request's "
                    + "correlationId. Within v1 fields are only ever added, never removed, renamed or retyped: ignore fields you do "
                    + "not know. A removal request (and a MediaRemoved answer) does not exist yet. Generated from "
                    + "shared/VmNet.Contracts by tests/VmNet.Contracts.Tests (VMNET_WRITE_DOCS=1 rewrites it).",
            },
            ["defaultContentType"] = "application/vnd.masstransit+json",
            ["servers"] = new Dictionary<string, object>
            {
                ["rabbitmq"] = new Dictionary<string, object>
                {
                    ["host"] = "{host}:{port}",
                    ["protocol"] = "amqp",
                    ["protocolVersion"] = "0.9.1",
                    ["description"] = "The RabbitMQ the roles run on (`--rabbitmq amqp://USER:PASS@HOST:PORT/VHOST`).",
                    ["variables"] = new Dictionary<string, object>
                    {
                        ["host"] = new Dictionary<string, object> { ["default"] = "localhost" },
                        ["port"] = new Dictionary<string, object> { ["default"] = "5672" },
                    },
                },
            },
            ["channels"] = channels,
            ["operations"] = operations,
            ["components"] = new Dictionary<string, object> { ["messages"] = messages, ["schemas"] = schemas },
        };
    }

    private static Dictionary<string, object> Envelope()
    {
        static Dictionary<string, object> S(string type, string? format, string description)
        {
            var s = new Dictionary<string, object> { ["type"] = type };
            if (format is not null)
            {
                s["format"] = format;
            }

            s["description"] = description;
            return s;
        }

        return new Dictionary<string, object>
        {
            ["type"] = "object",
            ["description"] =
                "MassTransit's JSON envelope (content type application/vnd.masstransit+json). To publish, a platform sets "
                + "messageId (a new UUID), messageType and message; MassTransit fills the rest on what it sends.",
            ["required"] = new List<object> { "messageId", "messageType", "message" },
            ["properties"] = new Dictionary<string, object>
            {
                ["messageId"] = S("string", "uuid", "Unique per message."),
                ["correlationId"] = S("string", "uuid", "MassTransit's own; match answers on message.correlationId, which VmNet guarantees."),
                ["conversationId"] = S("string", "uuid", "Shared by a request and everything published while handling it."),
                ["initiatorId"] = S("string", "uuid", "The message whose handling published this one."),
                ["requestId"] = S("string", "uuid", "Unused by VmNet."),
                ["sourceAddress"] = S("string", "uri", "The endpoint that sent it."),
                ["destinationAddress"] = S("string", "uri", "The exchange it was sent to."),
                ["responseAddress"] = S("string", "uri", "Unused by VmNet."),
                ["faultAddress"] = S("string", "uri", "Unused by VmNet."),
                ["messageType"] = new Dictionary<string, object>
                {
                    ["type"] = "array",
                    ["items"] = new Dictionary<string, object> { ["type"] = "string" },
                    ["minItems"] = 1,
                    ["description"] = "urn:message:VmNet.Contracts:NAME for the record's type.",
                },
                ["message"] = new Dictionary<string, object> { ["type"] = "object", ["description"] = "The record, camelCase." },
                ["expirationTime"] = S("string", "date-time", "Unused by VmNet."),
                ["sentTime"] = S("string", "date-time", "When it was sent."),
                ["headers"] = new Dictionary<string, object> { ["type"] = "object", ["description"] = "Transport headers (trace context among them)." },
                ["host"] = new Dictionary<string, object> { ["type"] = "object", ["description"] = "The sending process: machine, process, assembly, framework." },
            },
        };
    }

    /// <summary>MassTransit writes enums as numbers (its serializer has no string-enum converter), and reads only numbers.</summary>
    private static Dictionary<string, object> Enum(string type, List<(string Name, string Type)> members, IReadOnlyDictionary<string, string> wire)
    {
        var values = members.Select(m => (m.Name, Wire: wire[$"{type}.{m.Name}"])).ToList();
        if (values.All(v => int.TryParse(v.Wire, out _)))
        {
            return new Dictionary<string, object>
            {
                ["type"] = "integer",
                ["enum"] = values.Select(v => (object)int.Parse(v.Wire, System.Globalization.CultureInfo.InvariantCulture)).ToList(),
                ["description"] = "Sent as a number: " + string.Join(", ", values.Select(v => $"{v.Wire} = {v.Name}")) + ".",
            };
        }

        return new Dictionary<string, object> { ["type"] = "string", ["enum"] = values.Select(v => (object)v.Wire).ToList() };
    }

    private static Dictionary<string, object> Record(List<(string Name, string Type)> fields)
    {
        var properties = new Dictionary<string, object>();
        foreach (var (name, word) in fields)
        {
            properties[name] = Schema(word);
        }

        return new Dictionary<string, object>
        {
            ["type"] = "object",
            ["required"] = fields.Where(f => !f.Type.EndsWith('?')).Select(f => (object)f.Name).ToList(),
            ["properties"] = properties,
        };
    }

    private static Dictionary<string, object> Schema(string word)
    {
        if (word.EndsWith('?'))
        {
            return new Dictionary<string, object> { ["oneOf"] = new List<object> { Schema(word[..^1]), new Dictionary<string, object> { ["type"] = "null" } } };
        }

        if (word.StartsWith("array<", StringComparison.Ordinal))
        {
            return new Dictionary<string, object> { ["type"] = "array", ["items"] = Schema(word[6..^1]) };
        }

        if (word.StartsWith("map<", StringComparison.Ordinal))
        {
            return new Dictionary<string, object> { ["type"] = "object", ["additionalProperties"] = Schema(word[4..^1]) };
        }

        return word switch
        {
            "string" or "boolean" or "integer" or "number" => new Dictionary<string, object> { ["type"] = word },
            "uuid" or "uri" or "date-time" => new Dictionary<string, object> { ["type"] = "string", ["format"] = word },
            _ => Ref($"#/components/schemas/{word}"),
        };
    }

    /// <summary>The record's doc comment, as plain text: people read the same words in the code and in the document.</summary>
    private static string Summary(string record)
    {
        var source = File.ReadAllText(Path.Combine(VmNet.Testing.RepoPaths.Root, "shared", "VmNet.Contracts", record + ".cs"));
        var summary = Regex.Match(source, "<summary>(.*?)</summary>", RegexOptions.Singleline).Groups[1].Value;
        summary = Regex.Replace(summary, "///", " ");
        summary = Regex.Replace(summary, "<(?:paramref name|see cref)=\"([^\"]+)\"\\s*/>", "$1");
        return Regex.Replace(summary, "\\s+", " ").Trim();
    }

    private static Dictionary<string, object> Ref(string target) => new() { ["$ref"] = target };

    private static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
