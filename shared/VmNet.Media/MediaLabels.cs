using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace VmNet.Media;

/// <summary>
/// The rules for what a caller or a file says about an item: external ids and labels (given at ingest, untrusted,
/// refused when out of bounds) and container tags (read from an untrusted file, cleaned rather than refused). One copy
/// for the CLI, ingest and the catalogue, so a value the CLI accepts is one ingest and the catalogue accept.
/// </summary>
public static partial class MediaLabels
{
    /// <summary>Most labels on one item: a catalogue row and every search answer carry them all.</summary>
    public const int MaxLabels = 16;

    public const int MaxKeyLength = 32;

    public const int MaxValueLength = 64;

    public const int MaxExternalIdLength = 128;

    /// <summary>Longest title, artist or album kept from a file's tags; longer ones are cut.</summary>
    public const int MaxTagLength = 200;

    /// <summary>Longest source kept (a URL); longer ones are cut.</summary>
    public const int MaxSourceLength = 512;

    /// <summary>Why <paramref name="externalId"/> is refused, or null when it is acceptable (absent is acceptable).</summary>
    public static string? ExternalIdError(string? externalId) =>
        externalId is null || ExternalIdPattern().IsMatch(externalId)
            ? null
            : $"external id '{Shorten(externalId)}' must be 1-{MaxExternalIdLength} of letters, digits and . _ : @ / + - (starting with a letter or digit)";

    /// <summary>Why <paramref name="labels"/> are refused, or null when they are acceptable (absent is acceptable).</summary>
    public static string? LabelsError(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return null;
        }

        if (labels.Count > MaxLabels)
        {
            return $"{labels.Count} labels, at most {MaxLabels} allowed";
        }

        foreach (var (key, value) in labels)
        {
            if (key is null || !KeyPattern().IsMatch(key))
            {
                return $"label key '{Shorten(key ?? "")}' must be 1-{MaxKeyLength} of a-z, 0-9, _ . - (starting with a letter)";
            }

            if (value is null || !ValuePattern().IsMatch(value))
            {
                return $"label {key}: value '{Shorten(value ?? "")}' must be 1-{MaxValueLength} of letters, digits, spaces and . _ : / + & ' - (starting with a letter or digit)";
            }
        }

        return null;
    }

    /// <summary>
    /// <c>k=v</c> pairs (the CLI's <c>--label</c>, a bulk file's label column) as labels; a key given twice keeps the
    /// last. Throws <see cref="FormatException"/> with the reason when a pair or the set breaks the rules.
    /// </summary>
    public static ImmutableDictionary<string, string>? Parse(IEnumerable<string> pairs)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"label '{Shorten(pair)}' is not key=value");
            }

            builder[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
        }

        var labels = builder.ToImmutable();
        return LabelsError(labels) is { } error ? throw new FormatException(error) : labels.Count == 0 ? null : labels;
    }

    /// <summary>
    /// A container tag as it may be shown and stored: control and format characters (bidi overrides, zero-width
    /// joiners) removed, runs of white space made one space, cut to <see cref="MaxTagLength"/>; null when nothing is left.
    /// </summary>
    public static string? CleanTag(string? tag, int maxLength = MaxTagLength)
    {
        if (string.IsNullOrWhiteSpace(tag))
        {
            return null;
        }

        var text = new StringBuilder(Math.Min(tag.Length, maxLength));
        var space = false;
        foreach (var rune in tag.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (Rune.IsWhiteSpace(rune))
            {
                space = text.Length > 0;
                continue;
            }

            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
            {
                continue;
            }

            var needed = rune.Utf16SequenceLength + (space ? 1 : 0);
            if (text.Length + needed > maxLength)
            {
                break;
            }

            if (space)
            {
                text.Append(' ');
                space = false;
            }

            text.Append(rune.ToString());
        }

        return text.Length == 0 ? null : text.ToString();
    }

    private static string Shorten(string text) => CleanTag(text, 40) ?? "";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}\z")]
    private static partial Regex ExternalIdPattern();

    [GeneratedRegex(@"^[a-z][a-z0-9_.-]{0,31}\z")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^[\p{L}\p{N}][\p{L}\p{N} ._:/+&'-]{0,63}\z")]
    private static partial Regex ValuePattern();
}
