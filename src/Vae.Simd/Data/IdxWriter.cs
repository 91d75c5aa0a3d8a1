using System.Buffers.Binary;

namespace Vae.Simd.Data;

/// <summary>Encodes arrays of unsigned bytes as IDX files (the inverse of <see cref="IdxFile"/>).</summary>
public static class IdxWriter
{
    /// <summary>The IDX bytes of an array with the given dimensions.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> data, params int[] dimensions)
    {
        long total = dimensions.Aggregate(1L, (a, d) => a * d);
        if (dimensions.Length is < 1 or > 4 || total != data.Length)
            throw new ArgumentException($"IdxWriter: {data.Length} bytes do not fill dimensions [{string.Join('x', dimensions)}].");
        var bytes = new byte[4 + 4 * dimensions.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        data.CopyTo(bytes.AsSpan(4 + 4 * dimensions.Length));
        return bytes;
    }
}
