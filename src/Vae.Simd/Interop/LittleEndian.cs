using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Vae.Simd.Interop;

/// <summary>Floats as the little-endian bytes that ONNX raw_data and safetensors store.</summary>
internal static class LittleEndian
{
    /// <summary>Writes <paramref name="values"/> to <paramref name="destination"/> (4 bytes each).</summary>
    public static void WriteFloats(ReadOnlySpan<float> values, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(values).CopyTo(destination);
        else
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(destination.Slice(4 * i), values[i]);
    }

    /// <summary>The bytes of <paramref name="values"/>.</summary>
    public static byte[] Floats(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        WriteFloats(values, bytes);
        return bytes;
    }
}
