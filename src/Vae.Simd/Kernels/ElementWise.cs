using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Vae.Simd.Kernels;

/// <summary>
/// Element-wise arithmetic over spans. Every method checks lengths once, then runs a vector loop and a
/// scalar tail; none allocates. Destination spans may alias a source exactly (in-place use).
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

    /// <summary>destination[i] += x[i] * y[i] (fused multiply-accumulate, used by backward passes).</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) =>
        ElementWiseDriver.Ternary<MultiplyAddOperator>(x, y, destination, destination);

    /// <summary>y[i] += alpha * x[i] (BLAS axpy).</summary>
    public static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        Checks.SameLength(x, y, nameof(Axpy));
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> a = Vector256.Create(alpha);
            for (; i <= n - 8; i += 8)
            {
                Vector256<float> xv = Vector256.LoadUnsafe(ref xs, (nuint)i), yv = Vector256.LoadUnsafe(ref ys, (nuint)i);
                (Fma.IsSupported ? Fma.MultiplyAdd(a, xv, yv) : a * xv + yv).StoreUnsafe(ref ys, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref ys, i) = MathF.FusedMultiplyAdd(alpha, Unsafe.Add(ref xs, i), Unsafe.Add(ref ys, i));
    }

    /// <summary>destination[i] = alpha * x[i].</summary>
    public static void Scale(float alpha, ReadOnlySpan<float> x, Span<float> destination)
    {
        Checks.SameLength(x, destination, nameof(Scale));
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ds = ref MemoryMarshal.GetReference(destination);
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> a = Vector256.Create(alpha);
            for (; i <= n - 8; i += 8) (a * Vector256.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ds, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref ds, i) = alpha * Unsafe.Add(ref xs, i);
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
            ElementWiseDriver.Binary<AddOperator>(row, bias, row);
        }
    }
}
