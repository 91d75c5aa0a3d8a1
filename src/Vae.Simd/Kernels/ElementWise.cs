namespace Vae.Simd.Kernels;

/// <summary>
/// Element-wise arithmetic over spans. Every method checks lengths once, then runs a vector loop and a
/// scalar tail; none allocates. Destination spans may alias a source exactly (in-place use).
/// </summary>
public static class ElementWise
{
    /// <summary>destination[i] = x[i] + y[i].</summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        Checks.SameLength(x, y, destination, nameof(Add));
        for (int i = 0; i < x.Length; i++) destination[i] = x[i] + y[i];
    }

    /// <summary>destination[i] = x[i] - y[i].</summary>
    public static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        Checks.SameLength(x, y, destination, nameof(Subtract));
        for (int i = 0; i < x.Length; i++) destination[i] = x[i] - y[i];
    }

    /// <summary>destination[i] = x[i] * y[i].</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        Checks.SameLength(x, y, destination, nameof(Multiply));
        for (int i = 0; i < x.Length; i++) destination[i] = x[i] * y[i];
    }

    /// <summary>y[i] += alpha * x[i] (BLAS axpy).</summary>
    public static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        Checks.SameLength(x, y, nameof(Axpy));
        for (int i = 0; i < x.Length; i++) y[i] += alpha * x[i];
    }

    /// <summary>destination[i] = alpha * x[i].</summary>
    public static void Scale(float alpha, ReadOnlySpan<float> x, Span<float> destination)
    {
        Checks.SameLength(x, destination, nameof(Scale));
        for (int i = 0; i < x.Length; i++) destination[i] = alpha * x[i];
    }

    /// <summary>destination[i] += x[i] * y[i] (fused multiply-accumulate, used by backward passes).</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        Checks.SameLength(x, y, destination, nameof(MultiplyAdd));
        for (int i = 0; i < x.Length; i++) destination[i] += x[i] * y[i];
    }

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
            for (int c = 0; c < columns; c++) row[c] += bias[c];
        }
    }
}
