using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Vae.Simd.Kernels;

/// <summary>
/// Reductions over spans and row-major matrices. Summation order depends only on the length, so the
/// same input always gives the same bits.
/// </summary>
public static class Reductions
{
    /// <summary>The sum of all elements (four independent vector accumulators, then a fixed-order combine).</summary>
    public static float Sum(ReadOnlySpan<float> x)
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float sum = 0f;
        if (Vector256.IsHardwareAccelerated && n >= 32)
        {
            Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (; i <= n - 32; i += 32)
            {
                s0 += Vector256.LoadUnsafe(ref xs, (nuint)i);
                s1 += Vector256.LoadUnsafe(ref xs, (nuint)(i + 8));
                s2 += Vector256.LoadUnsafe(ref xs, (nuint)(i + 16));
                s3 += Vector256.LoadUnsafe(ref xs, (nuint)(i + 24));
            }
            sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        }
        for (; i < n; i++) sum += x[i];
        return sum;
    }

    /// <summary>The largest element (NaN if any element is NaN).</summary>
    /// <exception cref="ArgumentException">The span is empty.</exception>
    public static float Max(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) throw new ArgumentException("Max of an empty span is undefined.", nameof(x));
        ref float xs = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float max = float.NegativeInfinity;
        bool sawNaN = false;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> m = Vector256.Create(float.NegativeInfinity);
            Vector256<float> nan = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref xs, (nuint)i);
                nan |= ~Vector256.Equals(v, v);
                m = Vector256.Max(m, v);
            }
            sawNaN = nan != Vector256<float>.Zero;
            for (int lane = 0; lane < 8; lane++) max = MathF.Max(max, m.GetElement(lane));
        }
        for (; i < n; i++)
        {
            if (float.IsNaN(x[i])) sawNaN = true;
            else if (x[i] > max) max = x[i];
        }
        return sawNaN ? float.NaN : max;
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
            ElementWise.Add(destination, matrix.Slice(r * columns, columns), destination);
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
            if (!float.IsFinite(max)) { destination[r] = max; continue; }
            float sum = 0f;
            int c = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<float> vmax = Vector256.Create(max), acc = Vector256<float>.Zero;
                ref float rs = ref MemoryMarshal.GetReference(row);
                for (; c <= columns - 8; c += 8) acc += Vector256.Exp(Vector256.LoadUnsafe(ref rs, (nuint)c) - vmax);
                sum = Vector256.Sum(acc);
            }
            for (; c < columns; c++) sum += MathF.Exp(row[c] - max);
            destination[r] = max + MathF.Log(sum);
        }
    }
}
