namespace Vae.Simd.Kernels;

/// <summary>Reductions over spans and row-major matrices.</summary>
public static class Reductions
{
    /// <summary>The sum of all elements.</summary>
    public static float Sum(ReadOnlySpan<float> x)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += x[i];
        return (float)sum;
    }

    /// <summary>The largest element (NaN if any element is NaN).</summary>
    /// <exception cref="ArgumentException">The span is empty.</exception>
    public static float Max(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) throw new ArgumentException("Max of an empty span is undefined.", nameof(x));
        float max = x[0];
        for (int i = 1; i < x.Length; i++)
        {
            if (float.IsNaN(x[i])) return float.NaN;
            if (x[i] > max) max = x[i];
        }
        return max;
    }

    /// <summary>destination[r] = Σ_c matrix[r, c] for a rows × columns matrix.</summary>
    public static void RowSums(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> destination)
    {
        Checks.Matrix(matrix.Length, rows, columns, nameof(RowSums));
        if (destination.Length != rows) throw new ArgumentException($"{nameof(RowSums)}: destination has {destination.Length} elements, expected {rows}.");
        for (int r = 0; r < rows; r++) destination[r] = Sum(matrix.Slice(r * columns, columns));
    }

    /// <summary>destination[c] += Σ_r matrix[r, c] (accumulates, as bias gradients do).</summary>
    public static void AddColumnSums(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> destination)
    {
        Checks.Matrix(matrix.Length, rows, columns, nameof(AddColumnSums));
        if (destination.Length != columns) throw new ArgumentException($"{nameof(AddColumnSums)}: destination has {destination.Length} elements, expected {columns}.");
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) destination[c] += matrix[r * columns + c];
    }

    /// <summary>destination[r] = log Σ_c exp(matrix[r, c]), computed stably around each row's maximum.</summary>
    public static void RowLogSumExp(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> destination)
    {
        Checks.Matrix(matrix.Length, rows, columns, nameof(RowLogSumExp));
        if (destination.Length != rows) throw new ArgumentException($"{nameof(RowLogSumExp)}: destination has {destination.Length} elements, expected {rows}.");
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = matrix.Slice(r * columns, columns);
            float max = Max(row);
            if (float.IsNegativeInfinity(max) || float.IsNaN(max) || float.IsPositiveInfinity(max)) { destination[r] = max; continue; }
            double sum = 0;
            for (int c = 0; c < columns; c++) sum += Math.Exp(row[c] - max);
            destination[r] = max + (float)Math.Log(sum);
        }
    }
}
