using Microsoft.ML.OnnxRuntime;

namespace VmNet.Onnx;

/// <summary>How a session came out: the provider it runs on and, when CUDA was allowed but not used, why.</summary>
public sealed record OnnxSession(InferenceSession Session, string Provider, string? Note) : IDisposable
{
    public void Dispose() => Session.Dispose();
}

/// <summary>
/// The one place ONNX Runtime sessions are created (embedding branches, the video CNN, its preprocessing): the same
/// optimisation level and threading everywhere, and the CUDA provider tried first where allowed and a driver is
/// loaded, the CPU provider otherwise.
/// </summary>
public static class OnnxSessions
{
    /// <summary>Opens <paramref name="model"/> (a file path or the model's bytes).</summary>
    public static OnnxSession Open(OnnxModelSource model, bool useCuda = true, int intraOpThreads = 0)
    {
        string? note;
        if (useCuda && NvidiaGpu.DriverLoaded)
        {
            SessionOptions? cuda = null;
            try
            {
                cuda = CpuOptions(intraOpThreads);
                cuda.AppendExecutionProvider_CUDA(0);
                return new OnnxSession(model.Create(cuda), "CUDA", null);
            }
            catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
            {
                // No CUDA 13 / cuDNN 9 or no GPU: the same model on the CPU.
                note = e.Message.Split('\n', 2)[0];
                cuda?.Dispose();
            }
        }
        else
        {
            note = useCuda ? NvidiaGpu.NoDriver : "CUDA disabled by configuration";
        }

        return new OnnxSession(model.Create(CpuOptions(intraOpThreads)), "CPU", note);
    }

    private static SessionOptions CpuOptions(int intraOpThreads)
    {
        var session = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = intraOpThreads > 0 ? intraOpThreads : Environment.ProcessorCount,
            InterOpNumThreads = 1,
        };

        // Idle ONNX Runtime workers spin by default and take the cores FFmpeg decodes on (measured effect in
        // services/video-features/README.md).
        session.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return session;
    }
}

/// <summary>A model to open: a file or bytes already in memory (e.g. a graph rewritten on load).</summary>
public abstract record OnnxModelSource
{
    public static implicit operator OnnxModelSource(string path) => new FileSource(path);

    public static implicit operator OnnxModelSource(byte[] model) => new BytesSource(model);

    internal abstract InferenceSession Create(SessionOptions options);

    private sealed record FileSource(string Path) : OnnxModelSource
    {
        internal override InferenceSession Create(SessionOptions options) => new(Path, options);
    }

    private sealed record BytesSource(byte[] Model) : OnnxModelSource
    {
        internal override InferenceSession Create(SessionOptions options) => new(Model, options);
    }
}
