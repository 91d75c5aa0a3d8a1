namespace Vae.Simd.Kernels;

/// <summary>
/// The micro-kernel without SIMD (intrinsics switched off): the same k-ordered chain per element of the
/// packed 6 × 16 tile as the vector kernels, fused exactly when they are, so it gives their bits.
/// </summary>
internal static unsafe class MicroKernelScalar
{
    /// <summary>Same contract as <see cref="MicroKernelAvx.Compute{TMultiplyAdd}"/>: tile = A·B for a packed 6 × 16 tile.</summary>
    public static void Compute(int kc, float* a, float* b, float* tile) => ComputeSteps(kc, null, a, b, tile);

    /// <summary>Over the listed k-steps only (all kc steps when <paramref name="steps"/> is null); see <see cref="ZeroSteps"/>.</summary>
    public static void ComputeSteps(int count, int* steps, float* a, float* b, float* tile)
    {
        const int MR = GemmBlocking.MR, NR = GemmBlocking.NR;
        for (int i = 0; i < MR * NR; i++) tile[i] = 0f;
        for (int t = 0; t < count; t++)
        {
            int p = steps == null ? t : steps[t];
            for (int r = 0; r < MR; r++)
            {
                float av = a[p * MR + r];
                for (int j = 0; j < NR; j++)
                    tile[r * NR + j] = FmaIntrinsics.MultiplyAdd(av, b[p * NR + j], tile[r * NR + j]);
            }
        }
    }
}
