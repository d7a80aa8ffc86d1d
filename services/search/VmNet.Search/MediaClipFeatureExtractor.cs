using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VmNet.AudioFeatures;
using VmNet.Contracts;
using VmNet.Media;
using VmNet.VideoFeatures;

namespace VmNet.Search;

/// <summary>
/// Uploaded clips go through the same extractors as ingested media: the music recipe and the video CNN pipeline
/// (with the current WPCA/PCA). The CNN is taken from the video-features role when it runs in this process, else
/// loaded on the first video clip.
/// </summary>
internal sealed class MediaClipFeatureExtractor(IServiceProvider services, IConfiguration configuration, DataDirectory data, IOptions<SearchOptions> options)
    : IClipFeatureExtractor
{
    private static readonly TimeSpan DecodeTimeout = TimeSpan.FromMinutes(2);
    private readonly MusicFeatureExtractor _music = new();
    private readonly Lazy<VideoFeatureExtractor> _video = new(() =>
        services.GetService<VideoFeatureExtractor>()
        ?? new VideoFeatureExtractor(
            configuration.GetSection(VideoFeatureOptions.Section).Get<VideoFeatureOptions>() ?? new VideoFeatureOptions(),
            new VideoPcaStore(data)));

    public async Task<float[]> ExtractAsync(Modality modality, string path, CancellationToken cancellationToken) =>
        modality == Modality.Music
            ? (await _music.FromFileAsync(path, keepFrames: false, DecodeTimeout, options.Value.MaxClipSeconds, cancellationToken)).Vector
            : (await _video.Value.ExtractAsync(path, cancellationToken)).Vector;
}
