using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using VmNet.Catalogue;

namespace VmNet.Onnx;

public static class EmbeddingModelRegistration
{
    /// <summary>Model folders open with <see cref="OnnxEmbeddingModel"/> unless another loader was registered first.</summary>
    public static IServiceCollection AddOnnxEmbeddingModels(this IServiceCollection services)
    {
        services.TryAddSingleton<EmbeddingModelLoader>(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OnnxEmbeddingModel).FullName!);
            return folder => OnnxEmbeddingModel.Load(folder, logger);
        });
        return services;
    }
}
