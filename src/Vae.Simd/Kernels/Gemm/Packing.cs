using System.Runtime.Intrinsics;

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
    public static void PackA(Transpose trans, float* a, int lda, int i0, int mc, int p0, int kc, float* destination, LaneWidth width)
    {
        const int MR = GemmBlocking.MR;
        for (int panel = 0; panel < mc; panel += MR)
        {
            int rows = Math.Min(MR, mc - panel);
            float* dst = destination + panel * kc;
            if (trans == Transpose.No)
            {
                // Row r of the panel is contiguous in A: read rows, write with stride MR (6 × 8 register
                // transposes for whole panels on the Vector256 path, then scalars).
                int p = 0;
                if (rows == MR && width == LaneWidth.Vector256)
                    for (float* src = a + (long)(i0 + panel) * lda + p0; p + 8 <= kc; p += 8)
                        TransposeAvx.Transpose6x8(src + p, lda, dst + p * MR);
                for (int r = 0; r < rows; r++)
                {
                    float* src = a + (long)(i0 + panel + r) * lda + p0;
                    for (int q = p; q < kc; q++) dst[q * MR + r] = src[q];
                }
            }
            else if (rows == MR && width >= LaneWidth.Vector128)
            {
                // op(A) = Aᵀ: the MR values of one p are contiguous in A; a whole panel's copied as 4 + 2.
                float* src = a + (long)p0 * lda + i0 + panel;
                for (int p = 0; p < kc; p++, src += lda)
                {
                    Vector128.Store(Vector128.Load(src), dst + p * MR);
                    *(long*)(dst + p * MR + 4) = *(long*)(src + 4); // two floats, as bits
                }
            }
            else
            {
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
    public static void PackB(Transpose trans, float* b, int ldb, int p0, int kc, int j0, int nc, float* destination, LaneWidth width)
    {
        const int NR = GemmBlocking.NR;
        for (int panel = 0; panel < nc; panel += NR)
        {
            int columns = Math.Min(NR, nc - panel);
            float* dst = destination + panel * kc;
            if (trans == Transpose.No)
            {
                if (columns == NR && width == LaneWidth.Vector256) CopyRows<Lanes8>(b + (long)p0 * ldb + j0 + panel, ldb, kc, dst);
                else if (columns == NR && width == LaneWidth.Vector128) CopyRows<Lanes4>(b + (long)p0 * ldb + j0 + panel, ldb, kc, dst);
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
            else if (columns == NR && width == LaneWidth.Vector256)
            {
                // op(B) = Bᵀ: column j of op(B) is row j of B. Transpose 8×8 tiles in registers.
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                {
                    for (int half = 0; half < 2; half++)
                    {
                        float* src = b + (long)(j0 + panel + half * 8) * ldb + p0 + p;
                        TransposeAvx.Transpose8x8(src, ldb, dst + p * NR + half * 8, NR);
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

    /// <summary>Copies kc rows of 16 floats (row stride <paramref name="stride"/>) into a packed panel.</summary>
    private static void CopyRows<TV>(float* source, int stride, int kc, float* destination) where TV : struct, ILanes<TV>
    {
        for (int p = 0; p < kc; p++, source += stride, destination += GemmBlocking.NR)
            for (int j = 0; j < GemmBlocking.NR; j += TV.Count) TV.Store(TV.Load(ref source[j], 0), ref destination[j], 0);
    }
}
