using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Vae.Simd.Kernels;

// The math of the element-wise kernels, one struct per function (see ElementWiseDriver).

internal readonly struct AddOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => x + y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x + y;
}

internal readonly struct SubtractOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => x - y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x - y;
}

internal readonly struct MultiplyOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => x * y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x * y;
}

/// <summary>x·y + z, fused where the hardware has FMA.</summary>
internal readonly struct MultiplyAddOperator : ITernaryOperator
{
    public static float Invoke(float x, float y, float z) => MathF.FusedMultiplyAdd(x, y, z);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z) =>
        Fma.IsSupported ? Fma.MultiplyAdd(x, y, z) : x * y + z;
}

internal readonly struct ExpOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Exp(x);
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Exp(x);
}

internal readonly struct LogOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Log(x);
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Log(x);
}

/// <summary>
/// log(1 + x) as log(w)·x / (w − 1) with w = 1 + x: the rounding error of forming w cancels in the ratio
/// (Goldberg's trick), which keeps full relative accuracy for tiny x where log(1 + x) alone loses it.
/// </summary>
internal readonly struct Log1pOperator : IUnaryOperator
{
    public static float Invoke(float x)
    {
        float w = 1f + x;
        if (w == 1f) return x;
        if (float.IsPositiveInfinity(w)) return MathF.Log(w);
        return MathF.Log(w) * (x / (w - 1f));
    }

    public static Vector256<float> Invoke(Vector256<float> x)
    {
        Vector256<float> w = Vector256<float>.One + x;
        Vector256<float> ratio = Vector256.Log(w) * (x / (w - Vector256<float>.One));
        Vector256<float> result = Vector256.ConditionalSelect(Vector256.Equals(w, Vector256<float>.One), x, ratio);
        return Vector256.ConditionalSelect(Vector256.Equals(w, Vector256.Create(float.PositiveInfinity)), w, result);
    }
}

/// <summary>
/// tanh: Cephes' odd polynomial for |x| &lt; 0.625 (where 1 − 2/(e^{2x}+1) would cancel), and
/// 1 − 2/(e^{2|x|} + 1) with the sign restored elsewhere; saturates to ±1 without overflow.
/// </summary>
internal readonly struct TanhOperator : IUnaryOperator
{
    public static float Invoke(float x)
    {
        float ax = MathF.Abs(x);
        if (ax < 0.625f)
        {
            float z = x * x;
            return Polynomial(z) * z * x + x;
        }
        float r = 1f - 2f / (MathF.Exp(2f * ax) + 1f);
        return float.IsNaN(x) ? x : MathF.CopySign(r, x);
    }

    public static Vector256<float> Invoke(Vector256<float> x)
    {
        Vector256<float> ax = Vector256.Abs(x);
        Vector256<float> z = x * x;
        Vector256<float> small = Polynomial(z) * z * x + x;
        Vector256<float> large = Vector256<float>.One - Vector256.Create(2f) / (Vector256.Exp(ax + ax) + Vector256<float>.One);
        large = Vector256.CopySign(large, x);
        Vector256<float> result = Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(0.625f)), small, large);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x); // NaN stays NaN
    }

    private static float Polynomial(float z) =>
        (((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) * z - 3.33332819422e-1f;

    private static Vector256<float> Polynomial(Vector256<float> z) =>
        (((Vector256.Create(-5.70498872745e-3f) * z + Vector256.Create(2.06390887954e-2f)) * z - Vector256.Create(5.37397155531e-2f)) * z
            + Vector256.Create(1.33314422036e-1f)) * z - Vector256.Create(3.33332819422e-1f);
}

/// <summary>1 / (1 + e^−x); e^−x overflowing to +∞ gives exactly 0.</summary>
internal readonly struct SigmoidOperator : IUnaryOperator
{
    public static float Invoke(float x) => 1f / (1f + MathF.Exp(-x));
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));
}

/// <summary>softplus(x) = max(x, 0) + log1p(e^−|x|): never overflows, exact limits x and 0 at ±∞.</summary>
internal readonly struct SoftplusOperator : IUnaryOperator
{
    public static float Invoke(float x)
    {
        if (float.IsNaN(x)) return x;
        return MathF.Max(x, 0f) + Log1pOperator.Invoke(MathF.Exp(-MathF.Abs(x)));
    }

    public static Vector256<float> Invoke(Vector256<float> x)
    {
        Vector256<float> result = Vector256.Max(x, Vector256<float>.Zero) + Log1pOperator.Invoke(Vector256.Exp(-Vector256.Abs(x)));
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }
}

internal readonly struct ReluOperator : IUnaryOperator
{
    public static float Invoke(float x) => x > 0f ? x : (float.IsNaN(x) ? x : 0f);
    public static Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.ConditionalSelect(Vector256.Equals(x, x), Vector256.Max(x, Vector256<float>.Zero), x);
}

internal readonly struct SquareOperator : IUnaryOperator
{
    public static float Invoke(float x) => x * x;
    public static Vector256<float> Invoke(Vector256<float> x) => x * x;
}
