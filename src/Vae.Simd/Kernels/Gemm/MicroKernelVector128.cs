using System.Runtime.Intrinsics;

namespace Vae.Simd.Kernels;

/// <summary>
/// The portable micro-kernel (ARM64, x64 without AVX2, WebAssembly SIMD): the same packed 6 × 16 tile as
/// <see cref="MicroKernelAvx"/>, register-blocked for 128-bit vectors as two 6 × 8 halves. Each half keeps
/// 12 Vector128 accumulators, 2 B vectors and 1 broadcast of A in 15 registers — x64 has 16 xmm, so
/// nothing spills; ARM64's 32 would hold the whole tile, but reading the small A panel twice costs less
/// than the register pressure on x64. Every element of the tile is the same k-ordered chain
/// c = a·b + c as in the AVX2 kernel, fused where the hardware has FMA (AdvSimd on ARM64), so the two
/// kernels give the same bits whenever both have FMA.
/// </summary>
internal static unsafe class MicroKernelVector128
{
    /// <summary>Same contract as <see cref="MicroKernelAvx.Compute{TMultiplyAdd}"/>: tile = A·B for a packed 6 × 16 tile.</summary>
    public static void Compute(int kc, float* a, float* b, float* tile)
    {
        Half(kc, a, b, tile);
        Half(kc, a, b + 8, tile + 8);
    }

    /// <summary>Over the listed k-steps only; see <see cref="ZeroSteps"/>.</summary>
    public static void ComputeSteps(int count, int* steps, float* a, float* b, float* tile)
    {
        HalfSteps(count, steps, a, b, tile);
        HalfSteps(count, steps, a, b + 8, tile + 8);
    }

    // Fully optimised from the first call, as Gemm.Compute is (the AVX2 kernel is inlined there; this one is called).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Half(int kc, float* a, float* b, float* tile)
    {
        Vector128<float> c00 = Vector128<float>.Zero, c01 = Vector128<float>.Zero;
        Vector128<float> c10 = Vector128<float>.Zero, c11 = Vector128<float>.Zero;
        Vector128<float> c20 = Vector128<float>.Zero, c21 = Vector128<float>.Zero;
        Vector128<float> c30 = Vector128<float>.Zero, c31 = Vector128<float>.Zero;
        Vector128<float> c40 = Vector128<float>.Zero, c41 = Vector128<float>.Zero;
        Vector128<float> c50 = Vector128<float>.Zero, c51 = Vector128<float>.Zero;

        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b), b1 = Vector128.Load(b + 4);
            Vector128<float> av = Vector128.Create(a[0]);
            c00 = FmaIntrinsics.MultiplyAdd(av, b0, c00); c01 = FmaIntrinsics.MultiplyAdd(av, b1, c01);
            av = Vector128.Create(a[1]);
            c10 = FmaIntrinsics.MultiplyAdd(av, b0, c10); c11 = FmaIntrinsics.MultiplyAdd(av, b1, c11);
            av = Vector128.Create(a[2]);
            c20 = FmaIntrinsics.MultiplyAdd(av, b0, c20); c21 = FmaIntrinsics.MultiplyAdd(av, b1, c21);
            av = Vector128.Create(a[3]);
            c30 = FmaIntrinsics.MultiplyAdd(av, b0, c30); c31 = FmaIntrinsics.MultiplyAdd(av, b1, c31);
            av = Vector128.Create(a[4]);
            c40 = FmaIntrinsics.MultiplyAdd(av, b0, c40); c41 = FmaIntrinsics.MultiplyAdd(av, b1, c41);
            av = Vector128.Create(a[5]);
            c50 = FmaIntrinsics.MultiplyAdd(av, b0, c50); c51 = FmaIntrinsics.MultiplyAdd(av, b1, c51);
            a += GemmBlocking.MR;
            b += GemmBlocking.NR;
        }

        const int NR = GemmBlocking.NR;
        Vector128.Store(c00, tile); Vector128.Store(c01, tile + 4);
        Vector128.Store(c10, tile + NR); Vector128.Store(c11, tile + NR + 4);
        Vector128.Store(c20, tile + 2 * NR); Vector128.Store(c21, tile + 2 * NR + 4);
        Vector128.Store(c30, tile + 3 * NR); Vector128.Store(c31, tile + 3 * NR + 4);
        Vector128.Store(c40, tile + 4 * NR); Vector128.Store(c41, tile + 4 * NR + 4);
        Vector128.Store(c50, tile + 5 * NR); Vector128.Store(c51, tile + 5 * NR + 4);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void HalfSteps(int count, int* steps, float* a, float* b, float* tile)
    {
        Vector128<float> c00 = Vector128<float>.Zero, c01 = Vector128<float>.Zero;
        Vector128<float> c10 = Vector128<float>.Zero, c11 = Vector128<float>.Zero;
        Vector128<float> c20 = Vector128<float>.Zero, c21 = Vector128<float>.Zero;
        Vector128<float> c30 = Vector128<float>.Zero, c31 = Vector128<float>.Zero;
        Vector128<float> c40 = Vector128<float>.Zero, c41 = Vector128<float>.Zero;
        Vector128<float> c50 = Vector128<float>.Zero, c51 = Vector128<float>.Zero;

        float* a0 = a, b0p = b;
        for (int t = 0; t < count; t++)
        {
            a = a0 + steps[t] * GemmBlocking.MR;
            b = b0p + steps[t] * GemmBlocking.NR;
            Vector128<float> b0 = Vector128.Load(b), b1 = Vector128.Load(b + 4);
            Vector128<float> av = Vector128.Create(a[0]);
            c00 = FmaIntrinsics.MultiplyAdd(av, b0, c00); c01 = FmaIntrinsics.MultiplyAdd(av, b1, c01);
            av = Vector128.Create(a[1]);
            c10 = FmaIntrinsics.MultiplyAdd(av, b0, c10); c11 = FmaIntrinsics.MultiplyAdd(av, b1, c11);
            av = Vector128.Create(a[2]);
            c20 = FmaIntrinsics.MultiplyAdd(av, b0, c20); c21 = FmaIntrinsics.MultiplyAdd(av, b1, c21);
            av = Vector128.Create(a[3]);
            c30 = FmaIntrinsics.MultiplyAdd(av, b0, c30); c31 = FmaIntrinsics.MultiplyAdd(av, b1, c31);
            av = Vector128.Create(a[4]);
            c40 = FmaIntrinsics.MultiplyAdd(av, b0, c40); c41 = FmaIntrinsics.MultiplyAdd(av, b1, c41);
            av = Vector128.Create(a[5]);
            c50 = FmaIntrinsics.MultiplyAdd(av, b0, c50); c51 = FmaIntrinsics.MultiplyAdd(av, b1, c51);
        }

        const int NR = GemmBlocking.NR;
        Vector128.Store(c00, tile); Vector128.Store(c01, tile + 4);
        Vector128.Store(c10, tile + NR); Vector128.Store(c11, tile + NR + 4);
        Vector128.Store(c20, tile + 2 * NR); Vector128.Store(c21, tile + 2 * NR + 4);
        Vector128.Store(c30, tile + 3 * NR); Vector128.Store(c31, tile + 3 * NR + 4);
        Vector128.Store(c40, tile + 4 * NR); Vector128.Store(c41, tile + 4 * NR + 4);
        Vector128.Store(c50, tile + 5 * NR); Vector128.Store(c51, tile + 5 * NR + 4);
    }
}
