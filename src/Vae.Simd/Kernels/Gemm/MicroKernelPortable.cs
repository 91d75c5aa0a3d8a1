using System.Numerics;
using System.Runtime.CompilerServices;

namespace Vae.Simd.Kernels;

/// <summary>
/// The portable micro-kernel for machines without AVX2 + FMA (ARM64, older x86, or intrinsics switched
/// off): the same 6 × 16 packed tile computed with <see cref="Vector{T}"/> rows, so packing and blocking
/// are shared with the AVX2 path and only the inner loop differs.
/// </summary>
internal static unsafe class MicroKernelPortable
{
    /// <summary>Same contract as <see cref="MicroKernelAvx2.Compute"/>: tile = A·B for a packed 6 × 16 tile.</summary>
    public static void Compute(int kc, float* a, float* b, float* tile)
    {
        const int MR = GemmBlocking.MR, NR = GemmBlocking.NR;
        int width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && NR % width == 0)
        {
            // One row of the tile at a time keeps NR / width accumulators live.
            for (int r = 0; r < MR; r++)
            {
                for (int j = 0; j < NR; j += width)
                {
                    Vector<float> sum = Vector<float>.Zero;
                    float* ap = a + r;
                    float* bp = b + j;
                    for (int p = 0; p < kc; p++)
                    {
                        sum += new Vector<float>(*ap) * Unsafe.ReadUnaligned<Vector<float>>(bp);
                        ap += MR;
                        bp += NR;
                    }
                    Unsafe.WriteUnaligned(tile + r * NR + j, sum);
                }
            }
        }
        else
        {
            for (int i = 0; i < MR * NR; i++) tile[i] = 0f;
            for (int p = 0; p < kc; p++)
                for (int r = 0; r < MR; r++)
                {
                    float av = a[p * MR + r];
                    for (int j = 0; j < NR; j++) tile[r * NR + j] += av * b[p * NR + j];
                }
        }
    }
}
