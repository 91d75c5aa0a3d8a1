using System.Runtime.CompilerServices;
using System.Numerics;

namespace Vae.Simd.Kernels;

// Every activation's derivative, applied to an incoming gradient g: the float form runs in the element-wise
// driver at any lane width, and beside it the same formula in any precision T (what the double reference
// of the autodiff and GradCheck evaluate). Autodiff's unary ops and the fused linear layer both call these.

/// <summary>g · [y &gt; 0] through the output y = max(x, 0) (equivalently the input x).</summary>
internal readonly struct ReluDerivative : IDerivative
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV g, TV y) where TV : struct, ILanes<TV> => TV.Select(TV.GreaterThan(y, TV.Create(0f)), g, TV.Create(0f));
    public static T Scalar<T>(T g, T y) where T : IFloatingPointIeee754<T> => y > T.Zero ? g : T.Zero;
}

/// <summary>g · (1 − y²) through the output y = tanh x.</summary>
internal readonly struct TanhDerivative : IDerivative
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV g, TV y) where TV : struct, ILanes<TV> => g * (TV.Create(1f) - y * y);
    public static T Scalar<T>(T g, T y) where T : IFloatingPointIeee754<T> => g * (T.One - y * y);
}

/// <summary>g · y · (1 − y) through the output y = σ(x).</summary>
internal readonly struct SigmoidDerivative : IDerivative
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV g, TV y) where TV : struct, ILanes<TV> => g * y * (TV.Create(1f) - y);
    public static T Scalar<T>(T g, T y) where T : IFloatingPointIeee754<T> => g * y * (T.One - y);
}

/// <summary>g · σ(x) through the input x of y = softplus x.</summary>
internal readonly struct SoftplusDerivative : IDerivative
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV g, TV x) where TV : struct, ILanes<TV> => g * SigmoidOperator.Invoke(x);
    public static T Scalar<T>(T g, T x) where T : IFloatingPointIeee754<T> => g * (T.One / (T.One + T.Exp(-x)));
}

/// <summary>g / x through the input x of y = log x.</summary>
internal readonly struct LogDerivative : IDerivative
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV g, TV x) where TV : struct, ILanes<TV> => g / x;
    public static T Scalar<T>(T g, T x) where T : IFloatingPointIeee754<T> => g / x;
}

/// <summary>g · y through the output y = eˣ.</summary>
internal readonly struct ExpDerivative : IDerivative
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV g, TV y) where TV : struct, ILanes<TV> => g * y;
    public static T Scalar<T>(T g, T y) where T : IFloatingPointIeee754<T> => g * y;
}

/// <summary>A derivative rule: the float form for the element-wise driver and the same formula in any precision.</summary>
internal interface IDerivative : IBinaryOperator
{
    static abstract T Scalar<T>(T g, T saved) where T : IFloatingPointIeee754<T>;
}

/// <summary>accumulator + f′-times-g: the "dx += …" form of a derivative for the element-wise driver.</summary>
internal readonly struct AccumulateDerivative<TDerivative> : ITernaryOperator where TDerivative : IDerivative
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV g, TV saved, TV accumulator) where TV : struct, ILanes<TV> => accumulator + TDerivative.Invoke(g, saved);
}

/// <summary>Applies a derivative rule over spans in any precision: float through the element-wise driver, other types in a plain loop.</summary>
internal static class Derivatives
{
    /// <summary>dx[i] += rule(dy[i], saved[i]).</summary>
    public static void Accumulate<TRule, T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> saved, Span<T> dx) where TRule : IDerivative where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            ElementWiseDriver.Ternary<AccumulateDerivative<TRule>>(AsFloat(dy), AsFloat(saved), AsFloat(dx), AsFloat(dx));
            return;
        }
        for (int i = 0; i < dx.Length; i++) dx[i] += TRule.Scalar(dy[i], saved[i]);
    }

    /// <summary>g[i] = rule(g[i], saved[i]), in place.</summary>
    public static void ApplyInPlace<TRule, T>(Span<T> g, ReadOnlySpan<T> saved) where TRule : IDerivative where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            ElementWiseDriver.Binary<TRule>(AsFloat(g), AsFloat(saved), AsFloat(g));
            return;
        }
        for (int i = 0; i < g.Length; i++) g[i] = TRule.Scalar(g[i], saved[i]);
    }

    private static ReadOnlySpan<float> AsFloat<T>(ReadOnlySpan<T> s) where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(s);
    private static Span<float> AsFloat<T>(Span<T> s) where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(s);
}
