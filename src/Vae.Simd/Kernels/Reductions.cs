using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Vae.Simd.Kernels;

/// <summary>
/// Reductions over spans and row-major matrices. Every sum has one order, defined by the length alone
/// (see <see cref="ReductionDriver"/>), so the same input gives the same bits on every machine and path.
/// </summary>
public static class Reductions
{
    /// <summary>The sum of all elements.</summary>
    public static float Sum(ReadOnlySpan<float> x) => ReductionDriver.Sum<IdentitySummand>(0f, x, x);

    /// <summary>The share of elements that are ±0 (0 for an empty span). Exact for spans shorter than 2²⁴ per lane.</summary>
    public static float ZeroFraction(ReadOnlySpan<float> x) =>
        x.IsEmpty ? 0f : ReductionDriver.Sum<IsZeroSummand>(0f, x, x) / x.Length;

    /// <summary>True when no element of <paramref name="x"/> is NaN or infinite.</summary>
    /// <remarks>
    /// A bit test, not a sum: the exponent field all ones marks NaN and ±∞. Independent compare-and-or chains
    /// keep it at memory speed (the training step runs it over every shard's gradient buffer).
    /// </remarks>
    public static bool AllFinite(ReadOnlySpan<float> x)
    {
        ReadOnlySpan<uint> bits = MemoryMarshal.Cast<float, uint>(x);
        ref uint xs = ref MemoryMarshal.GetReference(bits);
        int n = bits.Length, i = 0;
        if (KernelPath.Width == LaneWidth.Vector256)
        {
            Vector256<uint> mask = Vector256.Create(ExponentBits), bad0 = Vector256<uint>.Zero, bad1 = bad0, bad2 = bad0, bad3 = bad0;
            for (; i <= n - 32; i += 32)
            {
                bad0 |= Vector256.Equals(Vector256.LoadUnsafe(ref xs, (nuint)i) & mask, mask);
                bad1 |= Vector256.Equals(Vector256.LoadUnsafe(ref xs, (nuint)(i + 8)) & mask, mask);
                bad2 |= Vector256.Equals(Vector256.LoadUnsafe(ref xs, (nuint)(i + 16)) & mask, mask);
                bad3 |= Vector256.Equals(Vector256.LoadUnsafe(ref xs, (nuint)(i + 24)) & mask, mask);
            }
            if (((bad0 | bad1) | (bad2 | bad3)) != Vector256<uint>.Zero) return false;
        }
        else if (KernelPath.Width == LaneWidth.Vector128)
        {
            Vector128<uint> mask = Vector128.Create(ExponentBits), bad0 = Vector128<uint>.Zero, bad1 = bad0, bad2 = bad0, bad3 = bad0;
            for (; i <= n - 16; i += 16)
            {
                bad0 |= Vector128.Equals(Vector128.LoadUnsafe(ref xs, (nuint)i) & mask, mask);
                bad1 |= Vector128.Equals(Vector128.LoadUnsafe(ref xs, (nuint)(i + 4)) & mask, mask);
                bad2 |= Vector128.Equals(Vector128.LoadUnsafe(ref xs, (nuint)(i + 8)) & mask, mask);
                bad3 |= Vector128.Equals(Vector128.LoadUnsafe(ref xs, (nuint)(i + 12)) & mask, mask);
            }
            if (((bad0 | bad1) | (bad2 | bad3)) != Vector128<uint>.Zero) return false;
        }
        for (; i < n; i++)
            if ((Unsafe.Add(ref xs, i) & ExponentBits) == ExponentBits) return false;
        return true;
    }

    private const uint ExponentBits = 0x7F80_0000u;

    /// <summary>The largest element (NaN if any element is NaN).</summary>
    /// <exception cref="ArgumentException">The span is empty.</exception>
    public static float Max(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) throw new ArgumentException("Max of an empty span is undefined.", nameof(x));
        ref float xs = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        Lanes1 max = Lanes1.Create(float.NegativeInfinity);
        if (KernelPath.Width == LaneWidth.Vector256) i = MaxBlocks<Lanes8>(ref xs, n, ref max);
        else if (KernelPath.Width == LaneWidth.Vector128) i = MaxBlocks<Lanes4>(ref xs, n, ref max);
        for (; i < n; i++) max = Larger(Lanes1.Load(ref xs, (nuint)i), max);
        return max.Value;
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
            float sum = ReductionDriver.Sum<ShiftedExpSummand>(max, row, row);
            destination[r] = max + Transcendentals.Log(Lanes1.Create(sum)).Value;
        }
    }

    /// <summary>Maxima lane by lane (exact, so any order gives the same result), folded into <paramref name="max"/>.</summary>
    private static int MaxBlocks<TV>(ref float xs, int n, ref Lanes1 max) where TV : struct, ILanes<TV>
    {
        int w = TV.Count, i = 0;
        TV m = TV.Create(float.NegativeInfinity);
        for (; i <= n - w; i += w) m = Larger(TV.Load(ref xs, (nuint)i), m);
        Span<float> lanes = stackalloc float[w];
        TV.Store(m, ref MemoryMarshal.GetReference(lanes), 0);
        foreach (float lane in lanes) max = Larger(Lanes1.Create(lane), max);
        return i;
    }

    /// <summary>The larger of v and m, where a NaN in either wins and then stays.</summary>
    private static TV Larger<TV>(TV v, TV m) where TV : struct, ILanes<TV> =>
        TV.Select(TV.Equals(v, v), TV.Select(TV.GreaterThan(v, m), v, m), v);
}

/// <summary>1 where x is ±0, else 0: summed, the number of zeros.</summary>
internal readonly struct IsZeroSummand : ITernaryOperator
{
    public static TV Invoke<TV>(TV s, TV x, TV y) where TV : struct, ILanes<TV> => TV.Select(TV.Equals(x, TV.Create(0f)), TV.Create(1f), TV.Create(0f));
}
