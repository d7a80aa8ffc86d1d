using System.Text.RegularExpressions;

namespace VmNet.Architecture.Tests;

/// <summary>One file that publishes or consumes one message.</summary>
public sealed record MessageUse(string Message, string File);

/// <summary>A bus call the scanner could not tie to a message of shared/VmNet.Contracts.</summary>
public sealed record Unexplained(string File, int Line, string Why)
{
    public override string ToString() => $"{File}:{Line}: {Why}";
}

/// <summary>
/// Finds, in C# source read as text, which files publish and which consume each message. A consumer is a file that
/// declares <c>IConsumer&lt;X&gt;</c> (or <c>IConsumer&lt;Fault&lt;X&gt;&gt;</c>). A publisher is a file with a
/// <c>.Publish(...)</c> call whose argument the scanner can type: <c>Publish&lt;X&gt;(</c>, <c>Publish(new X(</c>,
/// <c>Publish(await receiver.Method(</c> (the method's declared return type, looked up through the receiver's
/// declared type), or <c>Publish(variable</c> (the variable's nearest declaration before the call, typed the same
/// way, or the one contract constructed in its initialiser). Anything else is reported in <see cref="Unexplained"/>
/// rather than guessed, so a new way of publishing fails the tests until the scanner learns it.
/// </summary>
public sealed partial class ContractScanner
{
    private const string FaultPrefix = "Fault<";

    private readonly IReadOnlyDictionary<string, string> _sources;
    private readonly HashSet<string> _contracts;
    private readonly List<MessageUse> _publishers = [];
    private readonly List<MessageUse> _consumers = [];
    private readonly List<Unexplained> _unexplained = [];

    /// <param name="sources">Comment-free C# text by repository-relative path.</param>
    /// <param name="contracts">The message record names.</param>
    public ContractScanner(IReadOnlyDictionary<string, string> sources, IEnumerable<string> contracts)
    {
        _sources = sources;
        _contracts = [.. contracts];
        foreach (var (file, text) in sources)
        {
            ScanConsumers(file, text);
            ScanPublishers(file, text);
            ScanUnfollowedApis(file, text);
        }

        // MassTransit publishes Fault<X> when a consumer of X throws after its retries: the consumers of X are its publishers.
        foreach (var fault in _consumers.Select(c => c.Message).Where(IsFault).Distinct().ToList())
        {
            var inner = fault[FaultPrefix.Length..^1];
            _publishers.AddRange(_consumers.Where(c => c.Message == inner).Select(c => new MessageUse(fault, c.File)));
        }
    }

    public static ContractScanner OfRepository(string root) =>
        new(SourceTree.ProductionSources(root), SourceTree.Contracts(root));

    public IReadOnlyList<MessageUse> Publishers => _publishers;

    public IReadOnlyList<MessageUse> Consumers => _consumers;

    public IReadOnlyList<Unexplained> Unexplained => _unexplained;

    /// <summary>Every message the code uses: the contracts, and each <c>Fault&lt;X&gt;</c> someone consumes.</summary>
    public IReadOnlyList<string> Messages =>
        [.. _contracts.Concat(_consumers.Select(c => c.Message).Where(IsFault)).Distinct().Order(StringComparer.Ordinal)];

    public static bool IsFault(string message) => message.StartsWith(FaultPrefix, StringComparison.Ordinal);

    public IReadOnlySet<string> PublishersOf(string message) =>
        _publishers.Where(p => p.Message == message).Select(p => p.File).ToHashSet(StringComparer.Ordinal);

    public IReadOnlySet<string> ConsumersOf(string message) =>
        _consumers.Where(c => c.Message == message).Select(c => c.File).ToHashSet(StringComparer.Ordinal);

    private void ScanConsumers(string file, string text)
    {
        foreach (Match m in ConsumerInterface().Matches(text))
        {
            var name = m.Groups["fault"].Success ? $"{FaultPrefix}{LastSegment(m.Groups["fault"].Value)}>" : LastSegment(m.Groups["name"].Value);
            var inner = m.Groups["fault"].Success ? LastSegment(m.Groups["fault"].Value) : name;
            // A generic helper's IConsumer<TMessage> names no message.
            if (_contracts.Contains(inner))
            {
                _consumers.Add(new MessageUse(name, file));
            }
        }
    }

    private void ScanPublishers(string file, string text)
    {
        foreach (Match call in PublishCall().Matches(text))
        {
            var type = call.Groups["generic"].Success
                ? LastSegment(call.Groups["generic"].Value.Trim())
                : TypeOfArgument(file, text, call.Index + call.Length);
            var line = CSharpText.LineOf(text, call.Index);
            if (type is null)
            {
                _unexplained.Add(new Unexplained(file, line, $"cannot tell what '{Snippet(text, call.Index)}' publishes"));
            }
            else if (!_contracts.Contains(type))
            {
                _unexplained.Add(new Unexplained(file, line, $"publishes {type}, which is not a record of shared/VmNet.Contracts"));
            }
            else
            {
                _publishers.Add(new MessageUse(type, file));
            }
        }
    }

    private void ScanUnfollowedApis(string file, string text)
    {
        foreach (Match m in UnfollowedApi().Matches(text))
        {
            _unexplained.Add(new Unexplained(
                file, CSharpText.LineOf(text, m.Index), $"'{m.Value.Trim()}' moves messages in a way the contracts scanner does not follow"));
        }
    }

    private string? TypeOfArgument(string file, string text, int start)
    {
        var rest = text[start..].TrimStart();
        if (Variable().Match(rest) is { Success: true } variable)
        {
            return TypeOfVariable(file, text, variable.Groups["v"].Value, start, depth: 0);
        }

        return TypeOfExpression(file, text, Expression(rest), start, depth: 0);
    }

    // The argument up to the end of the call: enough for its leading `new X(` or `await a.M(`.
    private static string Expression(string rest)
    {
        var depth = 0;
        for (var i = 0; i < rest.Length; i++)
        {
            switch (rest[i])
            {
                case '(' or '[' or '{':
                    depth++;
                    break;
                case ')' or ']' or '}' when depth == 0:
                case ',' or ';' when depth == 0:
                    return rest[..i];
                case ')' or ']' or '}':
                    depth--;
                    break;
            }
        }

        return rest;
    }

    private string? TypeOfExpression(string file, string text, string expression, int at, int depth)
    {
        var e = AwaitPrefix().Replace(expression.Trim(), string.Empty).Trim();
        if (depth > 4 || e.Length == 0)
        {
            return null;
        }

        if (LeadingNew().Match(e) is { Success: true } created)
        {
            return LastSegment(created.Groups["t"].Value);
        }

        if (LeadingCall().Match(e) is { Success: true } call)
        {
            var chain = call.Groups["chain"].Value;
            var dot = chain.LastIndexOf('.');
            var returned = dot < 0
                ? ReturnType([file], chain)
                : ReturnTypeThrough(file, text, chain[..dot], chain[(dot + 1)..], at, depth);
            if (returned is not null)
            {
                return returned;
            }
        }

        // A collection of messages built in place (sources.Select(s => new X(...))): the one contract it constructs.
        var constructed = AnyNew().Matches(e).Select(m => LastSegment(m.Groups["t"].Value)).Where(_contracts.Contains).Distinct().ToList();
        if (constructed.Count == 1)
        {
            return constructed[0];
        }

        return Variable().Match(e + ")") is { Success: true } variable
            ? TypeOfVariable(file, text, variable.Groups["v"].Value, at, depth + 1)
            : null;
    }

    // The nearest declaration of `name` before `before` in the file.
    private string? TypeOfVariable(string file, string text, string name, int before, int depth)
    {
        if (depth > 4)
        {
            return null;
        }

        var n = Regex.Escape(name);
        var scope = text[..before];
        var candidates = new List<(int Index, Func<string?> Type)>();
        foreach (Match m in Regex.Matches(scope, $@"\bvar\s+{n}\s*=(?!=)"))
        {
            var end = scope.IndexOf(';', m.Index);
            var initialiser = end < 0 ? scope[(m.Index + m.Length)..] : scope[(m.Index + m.Length)..end];
            var at = m.Index;
            candidates.Add((m.Index, () => TypeOfExpression(file, text, initialiser, at, depth + 1)));
        }

        foreach (Match m in Regex.Matches(scope, $@"\bforeach\s*\(\s*var\s+(?:{n}|\([^)]*\b{n}\s*\))\s+in\s+(?<collection>[\w.]+)"))
        {
            var collection = m.Groups["collection"].Value;
            var at = m.Index;
            candidates.Add((m.Index, () => TypeOfVariable(file, text, collection, at, depth + 1)));
        }

        foreach (Match m in Regex.Matches(scope, $@"\bis\s+\{{\s*\}}\s+{n}\b"))
        {
            var statementStart = scope.LastIndexOfAny([';', '{', '}'], m.Index) + 1;
            var tested = IfPrefix().Replace(scope[statementStart..m.Index], string.Empty);
            var at = m.Index;
            candidates.Add((m.Index, () => TypeOfExpression(file, text, tested, at, depth + 1)));
        }

        foreach (Match m in Regex.Matches(scope, $@"\b(?:is|as)\s+(?<t>[A-Z][\w.]*)\??\s+{n}\b"))
        {
            var type = LastSegment(m.Groups["t"].Value);
            candidates.Add((m.Index, () => type));
        }

        foreach (Match m in Regex.Matches(scope, $@"(?<![\w.])(?<t>[A-Z][\w.]*(?:<[\w.,\s<>?]*>)?)\??\s+{n}\s*(?:[=;,)]|$)"))
        {
            var type = LastSegment(m.Groups["t"].Value);
            candidates.Add((m.Index, () => type));
        }

        return candidates.Count == 0 ? null : candidates.MaxBy(c => c.Index).Type();
    }

    // `receiver.Method(`: the method's return type in the files that declare the receiver's type.
    private string? ReturnTypeThrough(string file, string text, string receiver, string method, int at, int depth)
    {
        var receiverType = receiver.Contains('.') ? null : TypeOfVariable(file, text, receiver, at, depth + 1);
        if (receiverType is null)
        {
            return null;
        }

        var declaring = _sources
            .Where(s => Regex.IsMatch(s.Value, $@"\b(?:class|record|interface|struct)\s+{Regex.Escape(receiverType)}\b"))
            .Select(s => s.Key)
            .ToList();
        return ReturnType(declaring, method);
    }

    private string? ReturnType(IEnumerable<string> files, string method)
    {
        var types = files
            .SelectMany(f => Regex.Matches(_sources[f], $@"(?<ret>[\w.]+(?:<[\w.?]+>)?\??)\s+{Regex.Escape(method)}\s*(?:<[^>()]*>)?\s*\("))
            .Select(m => m.Groups["ret"].Value)
            .Where(r => !Keywords.Contains(r))
            .Select(r => LastSegment(TaskOf().Replace(r, "${t}").TrimEnd('?')))
            .Distinct()
            .ToList();
        return types.Count == 1 ? types[0] : null;
    }

    private static readonly HashSet<string> Keywords = ["return", "await", "new", "else", "throw", "yield", "in", "is", "as", "case", "when", "nameof", "typeof"];

    private static string LastSegment(string name)
    {
        var generic = name.IndexOf('<', StringComparison.Ordinal);
        var bare = generic < 0 ? name : name[..generic];
        return bare[(bare.LastIndexOf('.') + 1)..];
    }

    private static string Snippet(string text, int index)
    {
        var end = text.IndexOfAny([';', '\n'], index);
        return text[index..(end < 0 ? text.Length : end)].Trim();
    }

    [GeneratedRegex(@"\bIConsumer\s*<\s*(?:Fault\s*<\s*(?<fault>[\w.]+)\s*>|(?<name>[\w.]+))\s*>")]
    private static partial Regex ConsumerInterface();

    [GeneratedRegex(@"\.Publish\s*(?:<(?<generic>[^<>()]+(?:<[^<>()]+>)?)>)?\s*\(")]
    private static partial Regex PublishCall();

    // `next.Send(context)` in a MassTransit filter hands the same message down its pipe: it moves nothing.
    [GeneratedRegex(@"(?<!\bnext)\.Send\s*(?:<[^<>()]+>)?\s*\(|\bRespondAsync\s*[<(]|\.Handler\s*<|\bIJobConsumer\s*<|\bMassTransitStateMachine\s*<|\.PublishBatch\s*\(|\bISendEndpoint(?:Provider)?\b|\bIRequestClient\s*<")]
    private static partial Regex UnfollowedApi();

    [GeneratedRegex(@"^@?(?<v>[A-Za-z_]\w*)\s*[,)]")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^await\s+")]
    private static partial Regex AwaitPrefix();

    [GeneratedRegex(@"^\s*(?:if|while)\s*\(\s*(?:await\s+)?")]
    private static partial Regex IfPrefix();

    [GeneratedRegex(@"^new\s+(?<t>[\w.]+)\s*(?:<[^()]*>)?\s*[({]")]
    private static partial Regex LeadingNew();

    [GeneratedRegex(@"\bnew\s+(?<t>[\w.]+)\s*[({]")]
    private static partial Regex AnyNew();

    [GeneratedRegex(@"^(?<chain>[A-Za-z_][\w.]*)\s*(?:<[^<>()]*>)?\s*\(")]
    private static partial Regex LeadingCall();

    [GeneratedRegex(@"^(?:System\.Threading\.Tasks\.)?(?:Task|ValueTask)<(?<t>[\w.?]+)>$")]
    private static partial Regex TaskOf();
}
