using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Vae.Simd.Kernels;

/// <summary>
/// The one summation loop: Σᵢ TOp(s, x[i], y[i]) with one definition of the order, whatever the width.
/// Element i of every whole block of 16 goes to lane i mod 16 (two Vector256, four Vector128 or sixteen
/// floats); the 16 lanes are combined by one fixed tree (l[j] + l[j+8], then + 4, + 2, + 1); the last
/// n mod 16 elements are added to that in order. So the bits depend on the length only — not on the
/// machine, the vector width or which path a test forces.
/// </summary>
internal static class ReductionDriver
{
    private const int Lanes = 16;

    /// <summary>Σᵢ TOp(s, x[i], y[i]); s is one number for every element (operators may ignore any operand).</summary>
    public static float Sum<TOp>(float s, ReadOnlySpan<float> x, ReadOnlySpan<float> y) where TOp : ITernaryOperator
    {
        if (x.Length != y.Length) Checks.ThrowLengths(typeof(TOp).Name, x.Length, y.Length);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        Span<float> lanes = stackalloc float[Lanes];
        lanes.Clear();
        if (n >= Lanes)
        {
            i = KernelPath.Width switch
            {
                LaneWidth.Vector256 => Blocks<TOp, Lanes8>(s, ref xs, ref ys, n, lanes),
                LaneWidth.Vector128 => Blocks<TOp, Lanes4>(s, ref xs, ref ys, n, lanes),
                _ => ScalarBlocks<TOp>(s, ref xs, ref ys, n, lanes),
            };
        }
        float total = Combine(lanes);
        Lanes1 sv = Lanes1.Create(s);
        for (; i < n; i++) total += TOp.Invoke(sv, Lanes1.Load(ref xs, (nuint)i), Lanes1.Load(ref ys, (nuint)i)).Value;
        return total;
    }

    /// <summary>Whole blocks of 16 at 8 or 4 floats per vector (16 / width accumulators); returns where it stopped.</summary>
    private static int Blocks<TOp, TV>(float s, ref float xs, ref float ys, int n, Span<float> lanes) where TOp : ITernaryOperator where TV : struct, ILanes<TV>
    {
        int w = TV.Count, i = 0;
        TV sv = TV.Create(s), a0 = TV.Create(0f), a1 = a0, a2 = a0, a3 = a0;
        for (; i <= n - Lanes; i += Lanes)
        {
            a0 += TOp.Invoke(sv, TV.Load(ref xs, (nuint)i), TV.Load(ref ys, (nuint)i));
            a1 += TOp.Invoke(sv, TV.Load(ref xs, (nuint)(i + w)), TV.Load(ref ys, (nuint)(i + w)));
            if (w == 4)
            {
                a2 += TOp.Invoke(sv, TV.Load(ref xs, (nuint)(i + 8)), TV.Load(ref ys, (nuint)(i + 8)));
                a3 += TOp.Invoke(sv, TV.Load(ref xs, (nuint)(i + 12)), TV.Load(ref ys, (nuint)(i + 12)));
            }
        }
        ref float l = ref MemoryMarshal.GetReference(lanes);
        TV.Store(a0, ref l, 0);
        TV.Store(a1, ref l, (nuint)w);
        if (w == 4)
        {
            TV.Store(a2, ref l, 8);
            TV.Store(a3, ref l, 12);
        }
        return i;
    }

    /// <summary>The same lanes one float at a time (no SIMD).</summary>
    private static int ScalarBlocks<TOp>(float s, ref float xs, ref float ys, int n, Span<float> lanes) where TOp : ITernaryOperator
    {
        Lanes1 sv = Lanes1.Create(s);
        int i = 0;
        for (; i <= n - Lanes; i += Lanes)
            for (int j = 0; j < Lanes; j++)
                lanes[j] += TOp.Invoke(sv, Lanes1.Load(ref xs, (nuint)(i + j)), Lanes1.Load(ref ys, (nuint)(i + j))).Value;
        return i;
    }

    /// <summary>The fixed tree over the 16 lanes.</summary>
    private static float Combine(Span<float> lanes)
    {
        for (int half = Lanes / 2; half >= 1; half /= 2)
            for (int j = 0; j < half; j++) lanes[j] += lanes[j + half];
        return lanes[0];
    }
}

/// <summary>x itself, as a summand (plain sums).</summary>
internal readonly struct IdentitySummand : ITernaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV s, TV x, TV y) where TV : struct, ILanes<TV> => x;
}

/// <summary>e^(x − s): the terms of a log-sum-exp around its maximum s.</summary>
internal readonly struct ShiftedExpSummand : ITernaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV s, TV x, TV y) where TV : struct, ILanes<TV> => Transcendentals.Exp(x - s);
}
