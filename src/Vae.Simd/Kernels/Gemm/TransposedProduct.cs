namespace Vae.Simd.Kernels;

/// <summary>
/// When the GEMM computes Cᵀ = op(B)ᵀ·op(A)ᵀ instead of C = op(A)·op(B): for C with few columns and more
/// rows (the latent heads' x·Wᵀ, 128 × 40). The packed block of A is then reused by only a few column
/// panels, the last partly empty, and is scattered into its panels by scalar stores; swapped, the few
/// columns become row panels (6 rows each, packed cheaply) and the many rows become full 16-column panels.
/// </summary>
/// <remarks>
/// Exact: element (i, j) is still the k-ordered chain of multiply-adds of A[i, p]·B[p, j] (a product or fused
/// multiply-add does not depend on the order of its two factors), so the bits are those of the direct product
/// on every micro-kernel. Not used with a <see cref="SparseOperand"/>: skipping is decided per packed panel,
/// whose shape the swap would change.
/// </remarks>
internal static class TransposedProduct
{
    /// <summary>Columns of C at or below which the swap is taken (when C has more rows than columns).</summary>
    public const int MaxColumns = 64;

    /// <summary>Whether an m × n product is computed as its transpose.</summary>
    public static bool Pays(int m, int n, SparseOperand sparse) => sparse == SparseOperand.None && n < m && n <= MaxColumns;

    /// <summary>The other transpose flag: op(X)ᵀ = op'(X).</summary>
    public static Transpose Flip(Transpose trans) => trans == Transpose.No ? Transpose.Yes : Transpose.No;
}
