namespace Vae.Simd.Kernels;

/// <summary>
/// Cache-blocking sizes of the GEMM. The micro-tile (MR × NR) is fixed by the micro-kernel; the block
/// sizes were chosen by measurement on an AMD EPYC core (32 KiB L1d, 512 KiB L2): KC = 512 makes each
/// micro-kernel call long (512 FMA steps per tile) so loop and write-back overhead vanish, its 32 KiB
/// micro-panel of B streams from L1/L2 with the hardware prefetcher, an MC × KC block of A (96 KiB) stays
/// in L2, and a KC × NC block of B (2 MiB) lives in L3. Against KC = 256, MC = 96 this took 1024³ from
/// 65–80 to 85 GFLOP/s and the VAE's shapes from 73–90 to 86–90 (bench/RESULTS.md).
/// </summary>
internal static class GemmBlocking
{
    /// <summary>Rows of the micro-tile: 6 rows × 2 vectors = 12 accumulators, 2 B loads, 1 broadcast = 15 of 16 ymm.</summary>
    public const int MR = 6;

    /// <summary>Columns of the micro-tile: two 8-float vectors.</summary>
    public const int NR = 16;

    /// <summary>Depth of a packed block.</summary>
    public const int KC = 512;

    /// <summary>Rows of a packed block of A (a multiple of <see cref="MR"/>).</summary>
    public const int MC = 48;

    /// <summary>Columns of a packed block of B (a multiple of <see cref="NR"/>).</summary>
    public const int NC = 1024;
}
