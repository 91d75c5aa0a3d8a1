using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using ArmCrc32 = System.Runtime.Intrinsics.Arm.Crc32;

namespace Vae.Simd.Checkpoints;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checkpoint checksum. It detects every
/// error of up to 32 consecutive bits and every odd number of flipped bits, and the CPU computes it
/// directly (SSE4.2 <c>crc32</c>, ARMv8 <c>crc32c</c>), so checking a large model costs little next to
/// reading it. The portable path is slicing-by-8 over tables.
/// </summary>
internal static class Crc32C
{
    private const uint Polynomial = 0x82F63B78;
    private static readonly uint[] Tables = BuildTables();

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC-32C over more data: <c>Append(Compute(a), b) == Compute(a ++ b)</c>. Start with 0.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint state = ~crc;
        if (Sse42.X64.IsSupported) state = AppendSse42(state, data);
        else if (ArmCrc32.Arm64.IsSupported) state = AppendArm64(state, data);
        else state = AppendPortableState(state, data);
        return ~state;
    }

    /// <summary>The table-driven path on its own, so tests compare it with the hardware one.</summary>
    internal static uint AppendPortable(uint crc, ReadOnlySpan<byte> data) => ~AppendPortableState(~crc, data);

    private static uint AppendSse42(uint state, ReadOnlySpan<byte> data)
    {
        ulong wide = state;
        while (data.Length >= 8)
        {
            wide = Sse42.X64.Crc32(wide, MemoryMarshal.Read<ulong>(data));
            data = data[8..];
        }
        state = (uint)wide;
        foreach (byte b in data) state = Sse42.Crc32(state, b);
        return state;
    }

    private static uint AppendArm64(uint state, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            state = ArmCrc32.Arm64.ComputeCrc32C(state, MemoryMarshal.Read<ulong>(data));
            data = data[8..];
        }
        foreach (byte b in data) state = ArmCrc32.ComputeCrc32C(state, b);
        return state;
    }

    private static uint AppendPortableState(uint state, ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<uint> t = Tables;
        while (data.Length >= 8)
        {
            // Slicing-by-8: eight table look-ups per 8 bytes instead of eight dependent steps.
            uint low = state ^ ReadUInt32LittleEndian(data), high = ReadUInt32LittleEndian(data[4..]);
            state = t[7 * 256 + (int)(low & 0xFF)] ^ t[6 * 256 + (int)((low >> 8) & 0xFF)]
                  ^ t[5 * 256 + (int)((low >> 16) & 0xFF)] ^ t[4 * 256 + (int)(low >> 24)]
                  ^ t[3 * 256 + (int)(high & 0xFF)] ^ t[2 * 256 + (int)((high >> 8) & 0xFF)]
                  ^ t[1 * 256 + (int)((high >> 16) & 0xFF)] ^ t[(int)(high >> 24)];
            data = data[8..];
        }
        foreach (byte b in data) state = t[(int)((state ^ b) & 0xFF)] ^ (state >> 8);
        return state;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ReadUInt32LittleEndian(ReadOnlySpan<byte> data) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data);

    private static uint[] BuildTables()
    {
        var tables = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            tables[i] = c;
        }
        // Table k advances a byte through k further zero bytes.
        for (int k = 1; k < 8; k++)
            for (int i = 0; i < 256; i++)
            {
                uint previous = tables[(k - 1) * 256 + i];
                tables[k * 256 + i] = tables[(int)(previous & 0xFF)] ^ (previous >> 8);
            }
        return tables;
    }
}
