namespace Vae.Simd.Kernels;

/// <summary>
/// Element-wise arithmetic over spans. Every method checks lengths once and runs the element-wise driver
/// (vector loop at the machine's width, then single lanes); none allocates. Destination spans may alias a source exactly (in-place use).
/// </summary>
public static class ElementWise
{
    /// <summary>destination[i] = x[i] + y[i].</summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) =>
        ElementWiseDriver.Binary<AddOperator>(x, y, destination);

    /// <summary>destination[i] = x[i] - y[i].</summary>
    public static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) =>
        ElementWiseDriver.Binary<SubtractOperator>(x, y, destination);

    /// <summary>destination[i] = x[i] * y[i].</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) =>
        ElementWiseDriver.Binary<MultiplyOperator>(x, y, destination);

    /// <summary>destination[i] += x[i] * y[i] (rounded once on every machine, used by backward passes).</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) =>
        ElementWiseDriver.Ternary<MultiplyAddOperator>(x, y, destination, destination);

    /// <summary>y[i] += alpha * x[i] (BLAS axpy, rounded once).</summary>
    public static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y) =>
        ElementWiseDriver.Ternary<MultiplyAddOperator>(alpha, x, y, y);

    /// <summary>destination[i] = alpha * x[i].</summary>
    public static void Scale(float alpha, ReadOnlySpan<float> x, Span<float> destination) =>
        ElementWiseDriver.Binary<MultiplyOperator>(alpha, x, destination);

    /// <summary>
    /// Adds <paramref name="bias"/> to every row of the row-major <paramref name="matrix"/>
    /// (rows × bias.Length), in place.
    /// </summary>
    public static void AddRowBias(Span<float> matrix, int rows, ReadOnlySpan<float> bias)
    {
        Checks.Matrix(matrix.Length, rows, bias.Length, nameof(AddRowBias));
        int columns = bias.Length;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = matrix.Slice(r * columns, columns);
            ElementWiseDriver.Binary<AddOperator>(row, bias, row);
        }
    }
}
