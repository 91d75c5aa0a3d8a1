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
    /// C[0..rows, 0..columns] = α·(A·B) + β·C over a full packed 6 × 16 tile; rows ≤ 6 and columns ≤ 16
    /// select the part of the tile that lies inside C. β = 0 does not read C.
    /// </summary>
    public static void Compute(int kc, float* a, float* b, float* c, int ldc, int rows, int columns, float alpha, float beta)
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

        if (rows == GemmBlocking.MR && columns == GemmBlocking.NR)
        {
            Vector256<float> va = Vector256.Create(alpha);
            if (beta == 0f)
            {
                Avx.Store(c, c00 * va); Avx.Store(c + 8, c01 * va); c += ldc;
                Avx.Store(c, c10 * va); Avx.Store(c + 8, c11 * va); c += ldc;
                Avx.Store(c, c20 * va); Avx.Store(c + 8, c21 * va); c += ldc;
                Avx.Store(c, c30 * va); Avx.Store(c + 8, c31 * va); c += ldc;
                Avx.Store(c, c40 * va); Avx.Store(c + 8, c41 * va); c += ldc;
                Avx.Store(c, c50 * va); Avx.Store(c + 8, c51 * va);
            }
            else
            {
                Vector256<float> vb = Vector256.Create(beta);
                Update(c, c00, c01, va, vb); c += ldc;
                Update(c, c10, c11, va, vb); c += ldc;
                Update(c, c20, c21, va, vb); c += ldc;
                Update(c, c30, c31, va, vb); c += ldc;
                Update(c, c40, c41, va, vb); c += ldc;
                Update(c, c50, c51, va, vb);
            }
            return;
        }

        // Edge tile: spill the accumulators, then write only the part inside C.
        float* tile = stackalloc float[GemmBlocking.MR * GemmBlocking.NR];
        Avx.Store(tile + 0, c00); Avx.Store(tile + 8, c01);
        Avx.Store(tile + 16, c10); Avx.Store(tile + 24, c11);
        Avx.Store(tile + 32, c20); Avx.Store(tile + 40, c21);
        Avx.Store(tile + 48, c30); Avx.Store(tile + 56, c31);
        Avx.Store(tile + 64, c40); Avx.Store(tile + 72, c41);
        Avx.Store(tile + 80, c50); Avx.Store(tile + 88, c51);
        MicroKernelPortable.WriteTile(tile, GemmBlocking.NR, c, ldc, rows, columns, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector256<float> low, Vector256<float> high, Vector256<float> alpha, Vector256<float> beta)
    {
        Avx.Store(c, Fma.MultiplyAdd(low, alpha, Avx.LoadVector256(c) * beta));
        Avx.Store(c + 8, Fma.MultiplyAdd(high, alpha, Avx.LoadVector256(c + 8) * beta));
    }
}
