using VmNet.AudioFeatures.Service;
using VmNet.Embedder;
using VmNet.Ingest;
using VmNet.Search;
using VmNet.ServiceDefaults;
using VmNet.Trainer;
using VmNet.VideoFeatures.Service;

namespace VmNet.Hosting;

/// <summary>Every role one <c>vmnet</c> process can run, in pipeline order: the one list.</summary>
public static class Roles
{
    public static IReadOnlyList<RoleDescriptor> All { get; } =
    [
        IngestRole.Descriptor,
        AudioFeaturesRole.Descriptor,
        VideoFeaturesRole.Descriptor,
        EmbedderRole.Descriptor,
        SearchRole.Descriptor,
        TrainerRole.Descriptor,
    ];

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(r => r.Name)];

    /// <summary>The descriptors of <paramref name="names"/>, in pipeline order; unknown names are refused.</summary>
    public static IReadOnlyList<RoleDescriptor> Select(IEnumerable<string> names)
    {
        var wanted = names.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = wanted.Where(n => !Names.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown role(s): {string.Join(", ", unknown)}; roles are {string.Join(", ", Names)}");
        }

        return [.. All.Where(r => wanted.Contains(r.Name))];
    }
}
