namespace VmNet.Onnx;

/// <summary>
/// Whether an NVIDIA driver is loaded on this machine. Without one, ONNX Runtime's CUDA provider can only fail
/// (and prints its failure to stderr on every session), so callers try it only where this holds.
/// </summary>
public static class NvidiaGpu
{
    public static bool DriverLoaded => File.Exists("/proc/driver/nvidia/version") || File.Exists("/dev/nvidiactl");

    public const string NoDriver = "no NVIDIA driver on this machine (/proc/driver/nvidia)";
}
