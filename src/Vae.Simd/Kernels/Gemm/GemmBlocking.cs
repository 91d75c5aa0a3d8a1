namespace Vae.Simd.Kernels;

/// <summary>
/// Cache-blocking sizes of the GEMM. The micro-tile (MR × NR) is fixed by the micro-kernel; the block
/// sizes follow the cache sizes of a current x86 core (32 KiB L1d, ≥ 512 KiB L2):
/// a KC × NR micro-panel of B (16 KiB) stays in L1 while MR × KC micro-panels of A stream past it, an
/// MC × KC block of A (96 KiB) stays in L2, and a KC × NC block of B (256 KiB) lives in L2/L3.
/// </summary>
internal static class GemmBlocking
{
    /// <summary>Rows of the micro-tile: 6 rows × 2 vectors = 12 accumulators, 2 B loads, 1 broadcast = 15 of 16 ymm.</summary>
    public const int MR = 6;

    /// <summary>Columns of the micro-tile: two 8-float vectors.</summary>
    public const int NR = 16;

    /// <summary>Depth of a packed block.</summary>
    public const int KC = 256;

    /// <summary>Rows of a packed block of A (a multiple of <see cref="MR"/>).</summary>
    public const int MC = 96;

    /// <summary>Columns of a packed block of B (a multiple of <see cref="NR"/>).</summary>
    public const int NC = 1024;

    public static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
