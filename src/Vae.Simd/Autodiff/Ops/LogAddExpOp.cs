using System.Numerics;

namespace Vae.Simd.Autodiff;

/// <summary>
/// y = log(eˣ + eᶜ) for a constant c, computed as max(x, c) + log(1 + e^−|x − c|) so it never overflows:
/// a smooth floor at c (the Gaussian decoder's log σ² = log(σ²_min + e^v)). Backward: dx += dy ⊙ σ(x − c).
/// </summary>
[Derivative("LogAddExp(x, c)", "log(eˣ + eᶜ), c a constant", "dx += dy ⊙ σ(x − c)")]
internal static class LogAddExpOp
{
    public static Var Forward<T>(Tape<T> tape, Var x, T c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var y = tape.NewResult(tape.Shape(x), x);
        ReadOnlySpan<T> xv = tape.Value(x);
        Span<T> yv = tape.Value(y);
        for (int i = 0; i < xv.Length; i++) yv[i] = c + TensorMath<T>.SoftplusScalar(xv[i] - c);
        tape.Record(new OpRecord { Kind = OpKind.LogAddExp, Output = y.Slot, A = x.Slot, Scalar = double.CreateChecked(c) });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A), y = new(op.Output);
        if (!tape.RequiresGradient(x)) return;
        T c = T.CreateChecked(op.Scalar);
        ReadOnlySpan<T> dy = tape.Gradient(y), xv = tape.Value(x);
        Span<T> dx = tape.Gradient(x);
        for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] * TensorMath<T>.SigmoidScalar(xv[i] - c);
    }
}

public static partial class TapeOps
{
    /// <summary>log(eˣ + eᶜ) element-wise for a constant <paramref name="c"/>: a smooth maximum of x and c.</summary>
    public static Var LogAddExp<T>(this Tape<T> tape, Var x, T c) where T : unmanaged, IFloatingPointIeee754<T> => LogAddExpOp.Forward(tape, x, c);
}
