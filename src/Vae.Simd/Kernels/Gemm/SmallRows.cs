namespace Vae.Simd.Kernels;

/// <summary>
/// Products with very few rows and B used transposed (x·Wᵀ for one or two examples, as single-image
/// inference does): each output is a dot product of an A row and a B row, both contiguous, so no panel is
/// packed. Packing would copy the whole weight matrix to use it once.
/// </summary>
internal static class SmallRows
{
    /// <summary>Rows of C at or below which this path is used.</summary>
    public const int MaxRows = 2;

    /// <summary>C = α·A·Bᵀ + β·C for m ≤ <see cref="MaxRows"/>; A is m×k, B is n×k.</summary>
    public static void MultiplyTransposedB(int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> row = a.Slice(i * lda, k);
            for (int j = 0; j < n; j++)
            {
                float dot = Dot(row, b.Slice(j * ldb, k));
                ref float target = ref c[i * ldc + j];
                target = beta == 0f ? alpha * dot : alpha * dot + beta * target;
            }
        }
    }

    /// <summary>Σ x[i]·y[i] in the reductions' fixed order (the same bits on every path).</summary>
    internal static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => ReductionDriver.Sum<ProductSummand>(0f, x, y);

    /// <summary>x·y as a summand.</summary>
    private readonly struct ProductSummand : ITernaryOperator
    {
        public static TV Invoke<TV>(TV unused, TV x, TV y) where TV : struct, ILanes<TV> => x * y;
    }
}
