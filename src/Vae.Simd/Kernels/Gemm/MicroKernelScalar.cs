namespace Vae.Simd.Kernels;

/// <summary>
/// The micro-kernel without SIMD (intrinsics switched off): the same k-ordered chain per element of the
/// packed 6 × 16 tile as the vector kernels, fused exactly when they are, so it gives their bits.
/// </summary>
internal static unsafe class MicroKernelScalar
{
    /// <summary>Same contract as <see cref="MicroKernelAvx.Compute{TMultiplyAdd}"/>: tile = A·B for a packed 6 × 16 tile.</summary>
    public static void Compute(int kc, float* a, float* b, float* tile)
    {
        const int MR = GemmBlocking.MR, NR = GemmBlocking.NR;
        for (int i = 0; i < MR * NR; i++) tile[i] = 0f;
        for (int p = 0; p < kc; p++)
            for (int r = 0; r < MR; r++)
            {
                float av = a[p * MR + r];
                for (int j = 0; j < NR; j++)
                    tile[r * NR + j] = FmaIntrinsics.MultiplyAdd(av, b[p * NR + j], tile[r * NR + j]);
            }
    }
}
