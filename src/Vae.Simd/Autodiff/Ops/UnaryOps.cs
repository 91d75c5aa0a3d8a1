using System.Numerics;
using Vae.Simd.Kernels;

namespace Vae.Simd.Autodiff;

// Element-wise functions of one value. Each backward is written through the saved input x or output y,
// whichever is cheaper and exact.

/// <summary>The forward every mapped unary op shares: a result of x's shape, one kernel pass, one record.</summary>
internal static class UnaryMap
{
    public delegate void Kernel<T>(ReadOnlySpan<T> x, Span<T> y);

    public static Var Record<T>(Tape<T> tape, Var x, OpKind kind, Kernel<T> kernel) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var y = tape.NewResult(tape.Shape(x), x);
        kernel(tape.Value(x), tape.Value(y));
        tape.Record(new OpRecord { Kind = kind, Output = y.Slot, A = x.Slot });
        return y;
    }
}

/// <summary>y = s·x. Backward: dx += s·dy.</summary>
[Derivative("Scale(x, s)", "s·x", "dx += s·dy")]
internal static class ScaleOp
{
    public static Var Forward<T>(Tape<T> tape, Var x, T s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var y = tape.NewResult(tape.Shape(x), x);
        ReadOnlySpan<T> xv = tape.Value(x);
        Span<T> yv = tape.Value(y);
        for (int i = 0; i < xv.Length; i++) yv[i] = s * xv[i];
        tape.Record(new OpRecord { Kind = OpKind.Scale, Output = y.Slot, A = x.Slot, Scalar = double.CreateChecked(s) });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (tape.RequiresGradient(new Var(op.A)))
            TensorMath<T>.Axpy(T.CreateChecked(op.Scalar), tape.Gradient(new Var(op.Output)), tape.Gradient(new Var(op.A)));
    }
}

/// <summary>y = eˣ. Backward: dx += dy ⊙ y.</summary>
[Derivative("Exp(x)", "eˣ", "dx += dy ⊙ y")]
internal static class ExpOp
{
    public static Var Forward<T>(Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> =>
        UnaryMap.Record(tape, x, OpKind.Exp, TensorMath<T>.Exp);

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A), y = new(op.Output);
        if (tape.RequiresGradient(x)) Derivatives.Accumulate<ExpDerivative, T>(tape.Gradient(y), tape.Value(y), tape.Gradient(x));
    }
}

/// <summary>y = log x. Backward: dx += dy / x.</summary>
[Derivative("Log(x)", "log x", "dx += dy / x")]
internal static class LogOp
{
    public static Var Forward<T>(Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> =>
        UnaryMap.Record(tape, x, OpKind.Log, TensorMath<T>.Log);

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A), y = new(op.Output);
        if (tape.RequiresGradient(x)) Derivatives.Accumulate<LogDerivative, T>(tape.Gradient(y), tape.Value(x), tape.Gradient(x));
    }
}

/// <summary>y = tanh x. Backward: dx += dy ⊙ (1 − y²).</summary>
[Derivative("Tanh(x)", "tanh x", "dx += dy ⊙ (1 − y²)")]
internal static class TanhOp
{
    public static Var Forward<T>(Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> =>
        UnaryMap.Record(tape, x, OpKind.Tanh, TensorMath<T>.Tanh);

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A), y = new(op.Output);
        if (tape.RequiresGradient(x)) Derivatives.Accumulate<TanhDerivative, T>(tape.Gradient(y), tape.Value(y), tape.Gradient(x));
    }
}

/// <summary>y = max(x, 0). Backward: dx += dy ⊙ [y &gt; 0] (the same as [x &gt; 0]).</summary>
[Derivative("Relu(x)", "max(x, 0)", "dx += dy ⊙ [x > 0]")]
internal static class ReluOp
{
    public static Var Forward<T>(Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> =>
        UnaryMap.Record(tape, x, OpKind.Relu, TensorMath<T>.Relu);

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A), y = new(op.Output);
        if (tape.RequiresGradient(x)) Derivatives.Accumulate<ReluDerivative, T>(tape.Gradient(y), tape.Value(y), tape.Gradient(x));
    }
}

/// <summary>y = σ(x). Backward: dx += dy ⊙ y(1 − y).</summary>
[Derivative("Sigmoid(x)", "σ(x)", "dx += dy ⊙ y(1 − y)")]
internal static class SigmoidOp
{
    public static Var Forward<T>(Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> =>
        UnaryMap.Record(tape, x, OpKind.Sigmoid, TensorMath<T>.Sigmoid);

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A), y = new(op.Output);
        if (tape.RequiresGradient(x)) Derivatives.Accumulate<SigmoidDerivative, T>(tape.Gradient(y), tape.Value(y), tape.Gradient(x));
    }
}

/// <summary>y = softplus(x) = log(1 + eˣ). Backward: dx += dy ⊙ σ(x).</summary>
[Derivative("Softplus(x)", "log(1 + eˣ)", "dx += dy ⊙ σ(x)")]
internal static class SoftplusOp
{
    public static Var Forward<T>(Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> =>
        UnaryMap.Record(tape, x, OpKind.Softplus, TensorMath<T>.Softplus);

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A), y = new(op.Output);
        if (tape.RequiresGradient(x)) Derivatives.Accumulate<SoftplusDerivative, T>(tape.Gradient(y), tape.Value(x), tape.Gradient(x));
    }
}

/// <summary>y = x². Backward: dx += 2x ⊙ dy.</summary>
[Derivative("Square(x)", "x²", "dx += 2x ⊙ dy")]
internal static class SquareOp
{
    public static Var Forward<T>(Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var y = tape.NewResult(tape.Shape(x), x);
        ReadOnlySpan<T> xv = tape.Value(x);
        Span<T> yv = tape.Value(y);
        for (int i = 0; i < xv.Length; i++) yv[i] = xv[i] * xv[i];
        tape.Record(new OpRecord { Kind = OpKind.Square, Output = y.Slot, A = x.Slot });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A), y = new(op.Output);
        if (!tape.RequiresGradient(x)) return;
        ReadOnlySpan<T> dy = tape.Gradient(y), xv = tape.Value(x);
        Span<T> dx = tape.Gradient(x);
        T two = T.CreateChecked(2);
        for (int i = 0; i < dx.Length; i++) dx[i] += two * xv[i] * dy[i];
    }
}

public static partial class TapeOps
{
    /// <summary>s·x.</summary>
    public static Var Scale<T>(this Tape<T> tape, Var x, T s) where T : unmanaged, IFloatingPointIeee754<T> => ScaleOp.Forward(tape, x, s);

    /// <summary>eˣ element-wise.</summary>
    public static Var Exp<T>(this Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> => ExpOp.Forward(tape, x);

    /// <summary>log x element-wise.</summary>
    public static Var Log<T>(this Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> => LogOp.Forward(tape, x);

    /// <summary>tanh x element-wise.</summary>
    public static Var Tanh<T>(this Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> => TanhOp.Forward(tape, x);

    /// <summary>max(x, 0) element-wise.</summary>
    public static Var Relu<T>(this Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> => ReluOp.Forward(tape, x);

    /// <summary>σ(x) = 1 / (1 + e⁻ˣ) element-wise.</summary>
    public static Var Sigmoid<T>(this Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> => SigmoidOp.Forward(tape, x);

    /// <summary>log(1 + eˣ) element-wise, stable for large |x|.</summary>
    public static Var Softplus<T>(this Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> => SoftplusOp.Forward(tape, x);

    /// <summary>x² element-wise.</summary>
    public static Var Square<T>(this Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> => SquareOp.Forward(tape, x);
}
