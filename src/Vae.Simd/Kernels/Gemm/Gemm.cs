namespace Vae.Simd.Kernels;

/// <summary>
/// Single-precision general matrix multiply, C = α·op(A)·op(B) + β·C, row-major.
/// op(A) is m×k and op(B) is k×n. A is stored m×k (row stride lda ≥ k) when not transposed and k×m
/// (lda ≥ m) when transposed; likewise B. C is m×n with row stride ldc ≥ n.
/// </summary>
public static class Gemm
{
    /// <summary>C = α·op(A)·op(B) + β·C. When β is 0, C is not read (NaN in C does not propagate).</summary>
    public static void Multiply(
        Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA == Transpose.No ? a[i * lda + p] : a[p * lda + i];
                    float bv = transB == Transpose.No ? b[p * ldb + j] : b[j * ldb + p];
                    sum += av * bv;
                }
                c[i * ldc + j] = beta == 0f ? alpha * sum : alpha * sum + beta * c[i * ldc + j];
            }
        }
    }
}
