using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using VmNet.Onnx;

namespace VmNet.VideoFeatures;

/// <summary>
/// Square rgb24 frames in, one row of penultimate-layer CNN features per frame out, on ONNX Runtime.
/// The packaged ResNet18 has its batch dimension fixed at 1; it is rewritten to a symbolic one when loaded, so
/// a batch runs in one call with the same outputs. CUDA is tried first where allowed, the CPU provider otherwise.
/// Thread-safe: ONNX Runtime sessions may run concurrently.
/// </summary>
public sealed class CnnFeaturizer : IDisposable
{
    private readonly InferenceSession? _preprocess;
    private readonly InferenceSession _cnn;
    private readonly VideoFeatureOptions _options;

    public CnnFeaturizer(VideoFeatureOptions options)
    {
        _options = options;
        var modelPath = options.Resolve(options.ModelPath);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"CNN model not found: {modelPath}", modelPath);
        }

        (_cnn, ExecutionProvider, ProviderNote) = OnnxSessions.Open(LoadWithSymbolicBatch(modelPath), options.UseCuda, options.IntraOpThreads);
        if (!string.IsNullOrWhiteSpace(options.PreprocessModelPath))
        {
            var prepPath = options.Resolve(options.PreprocessModelPath);
            if (!File.Exists(prepPath))
            {
                throw new FileNotFoundException($"preprocessing model not found: {prepPath}", prepPath);
            }

            // The preprocessing graph is a channel swap and a subtraction: not worth a GPU transfer of its own.
            _preprocess = OnnxSessions.Open(LoadWithSymbolicBatch(prepPath), useCuda: false, options.IntraOpThreads).Session;
        }

        if (!_cnn.OutputMetadata.TryGetValue(options.OutputName, out var output))
        {
            throw new InvalidOperationException(
                $"the CNN has no output '{options.OutputName}'; it has {string.Join(", ", _cnn.OutputMetadata.Keys)}");
        }

        if (!_cnn.InputMetadata.ContainsKey(options.InputName))
        {
            throw new InvalidOperationException(
                $"the CNN has no input '{options.InputName}'; it has {string.Join(", ", _cnn.InputMetadata.Keys)}");
        }

        Dimension = output.Dimensions.Skip(1).Aggregate(1, (a, b) => a * Math.Max(b, 1));
    }

    /// <summary>Length of one frame's feature row (512 for ResNet18).</summary>
    public int Dimension { get; }

    public int InputSize => _options.InputSize;

    /// <summary>"CUDA" or "CPU": the provider chosen at start-up.</summary>
    public string ExecutionProvider { get; }

    /// <summary>Why the CPU provider runs when CUDA was allowed (the CUDA error), else null.</summary>
    public string? ProviderNote { get; }

    /// <summary>Features of <paramref name="frames"/> (each InputSize² × 3 bytes, rgb24), row-major [count × Dimension].</summary>
    public float[] Featurize(IReadOnlyList<byte[]> frames)
    {
        var count = frames.Count;
        var result = new float[count * Dimension];
        if (count == 0)
        {
            return result;
        }

        var side = _options.InputSize;
        var plane = side * side;
        var input = new float[count * 3 * plane];
        for (var f = 0; f < count; f++)
        {
            var pixels = frames[f];
            if (pixels.Length != plane * 3)
            {
                throw new ArgumentException($"frame {f} has {pixels.Length} bytes, expected {plane * 3}", nameof(frames));
            }

            ToPlanar(pixels, input.AsSpan(f * 3 * plane, 3 * plane), plane);
        }

        long[] shape = [count, 3, side, side];
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        if (_preprocess is not null)
        {
            using var prepared = _preprocess.Run(runOptions, [_options.PreprocessInputName], [inputValue], [_options.PreprocessOutputName]);
            Run(prepared[0], runOptions, result);
        }
        else
        {
            Run(inputValue, runOptions, result);
        }

        return result;
    }

    public void Dispose()
    {
        _preprocess?.Dispose();
        _cnn.Dispose();
    }

    private void Run(OrtValue input, RunOptions runOptions, float[] result)
    {
        using var outputs = _cnn.Run(runOptions, [_options.InputName], [input], [_options.OutputName]);
        var features = outputs[0].GetTensorDataAsSpan<float>();
        if (features.Length != result.Length)
        {
            throw new InvalidOperationException($"the CNN returned {features.Length} values, expected {result.Length}");
        }

        features.CopyTo(result);
    }

    // rgb24 interleaved → planar R, G, B. Without a preprocessing graph the model's own normalisation applies here.
    private void ToPlanar(byte[] pixels, Span<float> target, int plane)
    {
        var r = target[..plane];
        var g = target.Slice(plane, plane);
        var b = target.Slice(2 * plane, plane);
        if (_preprocess is not null)
        {
            for (var i = 0; i < plane; i++)
            {
                r[i] = pixels[3 * i];
                g[i] = pixels[(3 * i) + 1];
                b[i] = pixels[(3 * i) + 2];
            }

            return;
        }

        var (m, s) = (_options.Mean, _options.Std);
        for (var i = 0; i < plane; i++)
        {
            r[i] = ((pixels[3 * i] / 255f) - m[0]) / s[0];
            g[i] = ((pixels[(3 * i) + 1] / 255f) - m[1]) / s[1];
            b[i] = ((pixels[(3 * i) + 2] / 255f) - m[2]) / s[2];
        }
    }

    /// <summary>The model's bytes with the leading (batch) dimension of inputs, outputs and value infos made symbolic.</summary>
    public static byte[] LoadWithSymbolicBatch(string path)
    {
        // Read-only and shared: OnnxSharp's ParseFromFile opens for writing, which locks out a second worker process.
        using var stream = File.OpenRead(path);
        var model = ModelProto.Parser.ParseFrom(stream);
        model.Graph.SetDim();
        return model.ToByteArray();
    }
}
