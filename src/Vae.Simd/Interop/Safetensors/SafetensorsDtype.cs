using System.Buffers.Binary;

namespace Vae.Simd.Interop.Safetensors;

/// <summary>The element types this library reads from safetensors files (it writes F32 only).</summary>
internal enum SafetensorsDtype
{
    F32,
    F16,
    BF16,
    F64,
}

/// <summary>Sizes, names and conversion to float of <see cref="SafetensorsDtype"/>s.</summary>
internal static class SafetensorsDtypes
{
    public const string Supported = "F32, F16, BF16, F64";

    /// <summary>The dtype named <paramref name="name"/> as it appears in a header, if supported.</summary>
    public static bool TryParse(string name, out SafetensorsDtype dtype)
    {
        (bool known, dtype) = name switch
        {
            "F32" => (true, SafetensorsDtype.F32),
            "F16" => (true, SafetensorsDtype.F16),
            "BF16" => (true, SafetensorsDtype.BF16),
            "F64" => (true, SafetensorsDtype.F64),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>Bytes per element.</summary>
    public static int Size(SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.F16 or SafetensorsDtype.BF16 => 2,
        SafetensorsDtype.F32 => 4,
        _ => 8,
    };

    /// <summary>Converts little-endian elements to floats (F64 rounds to nearest; values beyond float's range become infinite).</summary>
    public static void ToFloats(SafetensorsDtype dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = dtype switch
            {
                SafetensorsDtype.F32 => BinaryPrimitives.ReadSingleLittleEndian(source.Slice(4 * i)),
                SafetensorsDtype.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(source.Slice(2 * i)),
                // bfloat16 is the upper half of a float32.
                SafetensorsDtype.BF16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source.Slice(2 * i)) << 16),
                _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(source.Slice(8 * i)),
            };
    }
}
