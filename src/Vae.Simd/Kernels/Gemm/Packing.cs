using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Vae.Simd.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous micro-panel layouts the micro-kernel streams:
/// A as panels of <see cref="GemmBlocking.MR"/> rows, k-major ([panel][p][r]); B as panels of
/// <see cref="GemmBlocking.NR"/> columns ([panel][p][j]). Rows or columns past the matrix edge are
/// zero-filled, so the micro-kernel always computes full tiles.
/// </summary>
internal static unsafe class Packing
{
    /// <summary>Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into <paramref name="destination"/>.</summary>
    public static void PackA(Transpose trans, float* a, int lda, int i0, int mc, int p0, int kc, float* destination)
    {
        const int MR = GemmBlocking.MR;
        for (int panel = 0; panel < mc; panel += MR)
        {
            int rows = Math.Min(MR, mc - panel);
            float* dst = destination + panel * kc;
            if (trans == Transpose.No)
            {
                // Row r of the panel is contiguous in A: read rows, write with stride MR.
                for (int r = 0; r < rows; r++)
                {
                    float* src = a + (long)(i0 + panel + r) * lda + p0;
                    for (int p = 0; p < kc; p++) dst[p * MR + r] = src[p];
                }
            }
            else
            {
                // op(A) = Aᵀ: the MR values of one p are contiguous in A.
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + (long)(p0 + p) * lda + i0 + panel;
                    for (int r = 0; r < rows; r++) dst[p * MR + r] = src[r];
                }
            }
            if (rows < MR)
                for (int p = 0; p < kc; p++)
                    for (int r = rows; r < MR; r++) dst[p * MR + r] = 0f;
        }
    }

    /// <summary>Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into <paramref name="destination"/>.</summary>
    public static void PackB(Transpose trans, float* b, int ldb, int p0, int kc, int j0, int nc, float* destination)
    {
        const int NR = GemmBlocking.NR;
        for (int panel = 0; panel < nc; panel += NR)
        {
            int columns = Math.Min(NR, nc - panel);
            float* dst = destination + panel * kc;
            if (trans == Transpose.No)
            {
                if (columns == NR && Vector256.IsHardwareAccelerated)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = b + (long)(p0 + p) * ldb + j0 + panel;
                        Vector256.Store(Vector256.Load(src), dst + p * NR);
                        Vector256.Store(Vector256.Load(src + 8), dst + p * NR + 8);
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = b + (long)(p0 + p) * ldb + j0 + panel;
                        int j = 0;
                        for (; j < columns; j++) dst[p * NR + j] = src[j];
                        for (; j < NR; j++) dst[p * NR + j] = 0f;
                    }
                }
            }
            else if (columns == NR && Avx.IsSupported)
            {
                // op(B) = Bᵀ: column j of op(B) is row j of B. Transpose 8×8 tiles in registers.
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                {
                    for (int half = 0; half < 2; half++)
                    {
                        float* src = b + (long)(j0 + panel + half * 8) * ldb + p0 + p;
                        Transpose8x8(src, ldb, dst + p * NR + half * 8, NR);
                    }
                }
                for (; p < kc; p++)
                    for (int j = 0; j < NR; j++) dst[p * NR + j] = b[(long)(j0 + panel + j) * ldb + p0 + p];
            }
            else
            {
                for (int j = 0; j < NR; j++)
                {
                    if (j < columns)
                    {
                        float* src = b + (long)(j0 + panel + j) * ldb + p0;
                        for (int p = 0; p < kc; p++) dst[p * NR + j] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) dst[p * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Writes the transpose of the 8×8 tile at <paramref name="source"/> (row stride <paramref name="sourceStride"/>)
    /// to <paramref name="destination"/> (row stride <paramref name="destinationStride"/>), in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* source, int sourceStride, float* destination, int destinationStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(source);
        Vector256<float> r1 = Avx.LoadVector256(source + sourceStride);
        Vector256<float> r2 = Avx.LoadVector256(source + 2 * sourceStride);
        Vector256<float> r3 = Avx.LoadVector256(source + 3 * sourceStride);
        Vector256<float> r4 = Avx.LoadVector256(source + 4 * sourceStride);
        Vector256<float> r5 = Avx.LoadVector256(source + 5 * sourceStride);
        Vector256<float> r6 = Avx.LoadVector256(source + 6 * sourceStride);
        Vector256<float> r7 = Avx.LoadVector256(source + 7 * sourceStride);

        // Interleave pairs of rows, then pairs of pairs within each 128-bit lane, then combine lanes.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Store(destination, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(destination + destinationStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(destination + 2 * destinationStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(destination + 3 * destinationStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(destination + 4 * destinationStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(destination + 5 * destinationStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(destination + 6 * destinationStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(destination + 7 * destinationStride, Avx.Permute2x128(s3, s7, 0x31));
    }
}
