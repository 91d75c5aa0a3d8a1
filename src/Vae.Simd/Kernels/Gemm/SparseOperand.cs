namespace Vae.Simd.Kernels;

/// <summary>
/// Which GEMM operand may hold many exact zeros (MNIST pixels: ~81 %). The GEMM then skips the k-steps
/// at which that operand's packed micro-panel is all zero — for A, the steps where all
/// <see cref="GemmBlocking.MR"/> rows of the panel are zero; for B, where all <see cref="GemmBlocking.NR"/>
/// columns are. Each element of C is still the same k-ordered chain of multiply-adds, only without terms
/// that are ±0, so the result has the dense product's bits (see <see cref="ZeroSteps"/> for the one exception).
/// </summary>
public enum SparseOperand
{
    /// <summary>Dense: every k-step is computed.</summary>
    None,

    /// <summary>op(A) has many zeros (x in x·Wᵀ).</summary>
    A,

    /// <summary>op(B) has many zeros (x in gᵀ·x).</summary>
    B,
}
