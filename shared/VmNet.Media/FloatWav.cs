using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace VmNet.Media;

/// <summary>
/// Reads the WAV files ingest writes (32-bit IEEE float, mono, the pipeline's rate) without starting FFmpeg: the
/// samples are the data chunk's bytes, exactly what FFmpeg would decode from them (checked bit for bit). Anything
/// else (another format, rate or channel count, a damaged header) is left to FFmpeg. NWaves' WaveFile is not used
/// because it reads FFmpeg's WAVE_FORMAT_EXTENSIBLE float files as integer PCM.
/// </summary>
public static class FloatWav
{
    private const ushort IeeeFloat = 3;
    private const ushort Extensible = 0xFFFE;

    /// <summary>The samples of <paramref name="path"/> if it is a float mono WAV at <paramref name="sampleRate"/>, else null.</summary>
    public static float[]? TryReadMono(string path, int sampleRate)
    {
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[12];
        if (file.Read(header) != 12 || !header[..4].SequenceEqual("RIFF"u8) || !header[8..12].SequenceEqual("WAVE"u8))
        {
            return null;
        }

        var formatOk = false;
        Span<byte> chunk = stackalloc byte[8];
        while (file.Read(chunk) == 8)
        {
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (chunk[..4].SequenceEqual("fmt "u8))
            {
                if (size < 16 || size > 64)
                {
                    return null;
                }

                var format = new byte[size + (size % 2)]; // chunks are padded to even sizes
                file.ReadExactly(format);
                formatOk = IsFloatMono(format, sampleRate);
                if (!formatOk)
                {
                    return null;
                }
            }
            else if (chunk[..4].SequenceEqual("data"u8))
            {
                // A streamed WAV leaves the size unset (0 or all ones): the data runs to the end of the file.
                var remaining = file.Length - file.Position;
                var bytes = size == 0 || size == uint.MaxValue || size > remaining ? remaining : size;
                if (!formatOk || bytes % 4 != 0)
                {
                    return null;
                }

                var samples = new float[bytes / 4];
                file.ReadExactly(MemoryMarshal.AsBytes(samples.AsSpan()));
                return samples;
            }
            else
            {
                file.Seek(size + (size % 2), SeekOrigin.Current); // chunks are padded to even sizes
            }
        }

        return null;
    }

    private static bool IsFloatMono(ReadOnlySpan<byte> format, int sampleRate)
    {
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(format);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(format[2..]);
        var rate = BinaryPrimitives.ReadUInt32LittleEndian(format[4..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(format[14..]);
        if (tag == Extensible)
        {
            // The sub-format GUID's first two bytes carry the real format tag.
            tag = format.Length >= 26 ? BinaryPrimitives.ReadUInt16LittleEndian(format[24..]) : (ushort)0;
        }

        return tag == IeeeFloat && channels == 1 && rate == sampleRate && bits == 32;
    }
}
