using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Vae.Simd.Kernels;

/// <summary>
/// The AVX2 + FMA micro-kernel: a 6 × 16 tile of C from a packed 6-row panel of A and a packed
/// 16-column panel of B. Twelve ymm accumulators, two B vectors and one broadcast of A use 15 of the
/// 16 ymm registers, so the inner loop runs from registers and the L1-resident panels only.
/// </summary>
internal static unsafe class MicroKernelAvx2
{
    public static bool IsSupported => Fma.IsSupported && Avx2.IsSupported;

    /// <summary>
    /// tile[0..6, 0..16] = A·B over a packed 6 × 16 tile (tile row stride 16, 32-byte aligned). The loop
    /// ends in exactly twelve stores: with one use of each accumulator after it, the register allocator
    /// keeps all twelve in registers (a write-back with several paths made NativeAOT spill and reload
    /// them on every iteration).
    /// </summary>
    public static void Compute(int kc, float* a, float* b, float* tile)
    {
        Vector256<float> c00 = Vector256<float>.Zero, c01 = Vector256<float>.Zero;
        Vector256<float> c10 = Vector256<float>.Zero, c11 = Vector256<float>.Zero;
        Vector256<float> c20 = Vector256<float>.Zero, c21 = Vector256<float>.Zero;
        Vector256<float> c30 = Vector256<float>.Zero, c31 = Vector256<float>.Zero;
        Vector256<float> c40 = Vector256<float>.Zero, c41 = Vector256<float>.Zero;
        Vector256<float> c50 = Vector256<float>.Zero, c51 = Vector256<float>.Zero;

        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Avx.LoadAlignedVector256(b);
            Vector256<float> b1 = Avx.LoadAlignedVector256(b + 8);
            Vector256<float> av = Avx.BroadcastScalarToVector256(a);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Avx.BroadcastScalarToVector256(a + 4);
            c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Avx.BroadcastScalarToVector256(a + 5);
            c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51);
            a += GemmBlocking.MR;
            b += GemmBlocking.NR;
        }

        Avx.StoreAligned(tile + 0, c00); Avx.StoreAligned(tile + 8, c01);
        Avx.StoreAligned(tile + 16, c10); Avx.StoreAligned(tile + 24, c11);
        Avx.StoreAligned(tile + 32, c20); Avx.StoreAligned(tile + 40, c21);
        Avx.StoreAligned(tile + 48, c30); Avx.StoreAligned(tile + 56, c31);
        Avx.StoreAligned(tile + 64, c40); Avx.StoreAligned(tile + 72, c41);
        Avx.StoreAligned(tile + 80, c50); Avx.StoreAligned(tile + 88, c51);
    }
}
