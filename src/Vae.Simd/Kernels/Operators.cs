using System.Runtime.CompilerServices;

namespace Vae.Simd.Kernels;

// The math of the element-wise kernels, one struct per function, each written once for every lane width
// (see ElementWiseDriver and ILanes). Only compares and selects decide special cases — no Min/Max, whose
// zero signs and NaN handling differ between instruction sets.

internal readonly struct AddOperator : IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x, TV y) where TV : struct, ILanes<TV> => x + y;
}

internal readonly struct SubtractOperator : IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x, TV y) where TV : struct, ILanes<TV> => x - y;
}

internal readonly struct MultiplyOperator : IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x, TV y) where TV : struct, ILanes<TV> => x * y;
}

/// <summary>x·y + z rounded once (see <see cref="ILanes{TSelf}.MultiplyAdd"/>).</summary>
internal readonly struct MultiplyAddOperator : ITernaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x, TV y, TV z) where TV : struct, ILanes<TV> => TV.MultiplyAdd(x, y, z);
}

internal readonly struct ExpOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x) where TV : struct, ILanes<TV> => Transcendentals.Exp(x);
}

internal readonly struct LogOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x) where TV : struct, ILanes<TV> => Transcendentals.Log(x);
}

/// <summary>
/// log(1 + x) as log(w)·x / (w − 1) with w = 1 + x: the rounding error of forming w cancels in the ratio
/// (Goldberg's trick), which keeps full relative accuracy for tiny x where log(1 + x) alone loses it.
/// </summary>
internal readonly struct Log1pOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x) where TV : struct, ILanes<TV>
    {
        TV one = TV.Create(1f);
        TV w = one + x;
        TV ratio = Transcendentals.Log(w) * (x / (w - one));
        TV result = TV.Select(TV.Equals(w, one), x, ratio);
        return TV.Select(TV.Equals(w, TV.Create(float.PositiveInfinity)), w, result);
    }
}

/// <summary>
/// tanh: Cephes' odd polynomial for |x| &lt; 0.625 (where 1 − 2/(e^{2x}+1) would cancel), and
/// 1 − 2/(e^{2|x|} + 1) with the sign restored elsewhere; saturates to ±1 without overflow.
/// </summary>
internal readonly struct TanhOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x) where TV : struct, ILanes<TV>
    {
        TV sign = x & TV.CreateBits(0x80000000u);
        TV ax = x & TV.CreateBits(0x7FFFFFFFu);
        TV z = x * x;
        TV p = TV.Create(-5.70498872745e-3f);
        p = p * z + TV.Create(2.06390887954e-2f);
        p = p * z - TV.Create(5.37397155531e-2f);
        p = p * z + TV.Create(1.33314422036e-1f);
        p = p * z - TV.Create(3.33332819422e-1f);
        TV small = p * z * x + x;
        TV large = TV.Create(1f) - TV.Create(2f) / (Transcendentals.Exp(ax + ax) + TV.Create(1f));
        large = large | sign;
        TV result = TV.Select(TV.LessThan(ax, TV.Create(0.625f)), small, large);
        return TV.Select(TV.Equals(x, x), result, x);
    }
}

/// <summary>1 / (1 + e^−x); e^−x overflowing to +∞ gives exactly 0.</summary>
internal readonly struct SigmoidOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x) where TV : struct, ILanes<TV> =>
        TV.Create(1f) / (TV.Create(1f) + Transcendentals.Exp(-x));
}

/// <summary>softplus(x) = max(x, 0) + log1p(e^−|x|): never overflows, exact limits x and 0 at ±∞.</summary>
internal readonly struct SoftplusOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x) where TV : struct, ILanes<TV>
    {
        TV positive = TV.Select(TV.GreaterThan(x, TV.Create(0f)), x, TV.Create(0f));
        TV ax = x & TV.CreateBits(0x7FFFFFFFu);
        TV result = positive + Log1pOperator.Invoke(Transcendentals.Exp(-ax));
        return TV.Select(TV.Equals(x, x), result, x);
    }
}

/// <summary>max(x, 0) with NaN kept and −0 mapped to +0.</summary>
internal readonly struct ReluOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x) where TV : struct, ILanes<TV> =>
        TV.Select(TV.GreaterThan(x, TV.Create(0f)), x, TV.Select(TV.Equals(x, x), TV.Create(0f), x));
}
