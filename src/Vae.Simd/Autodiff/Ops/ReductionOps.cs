using System.Numerics;
using System.Runtime.InteropServices;
using Vae.Simd.Tensors;

namespace Vae.Simd.Autodiff;

/// <summary>y = Σ x (one element). Backward: dx += dy.</summary>
[Derivative("Sum(x)", "Σx", "dx += dy")]
internal static class SumOp
{
    public static Var Forward<T>(Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var y = tape.NewResult(TensorShape.Vector(1), x);
        tape.Value(y)[0] = Total(tape.Value(x));
        tape.Record(new OpRecord { Kind = OpKind.Sum, Output = y.Slot, A = x.Slot });
        return y;
    }

    /// <summary>Σ x in a fixed order (also the numerator of <see cref="MeanOp"/>).</summary>
    public static T Total<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        foreach (T v in x) sum += v;
        return sum;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A);
        if (!tape.RequiresGradient(x)) return;
        T dy = tape.Gradient(new Var(op.Output))[0];
        Span<T> dx = tape.Gradient(x);
        for (int i = 0; i < dx.Length; i++) dx[i] += dy;
    }
}

/// <summary>y = (Σ x) / n. Backward: dx += dy / n.</summary>
[Derivative("Mean(x)", "Σx / n", "dx += dy / n")]
internal static class MeanOp
{
    public static Var Forward<T>(Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var y = tape.NewResult(TensorShape.Vector(1), x);
        tape.Value(y)[0] = SumOp.Total(tape.Value(x)) / T.CreateChecked(tape.Shape(x).Length);
        tape.Record(new OpRecord { Kind = OpKind.Mean, Output = y.Slot, A = x.Slot });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A);
        if (!tape.RequiresGradient(x)) return;
        Span<T> dx = tape.Gradient(x);
        T share = tape.Gradient(new Var(op.Output))[0] / T.CreateChecked(dx.Length);
        for (int i = 0; i < dx.Length; i++) dx[i] += share;
    }
}

/// <summary>y[r] = Σ_c x[r, c]. Backward: dx[r, c] += dy[r].</summary>
[Derivative("RowSum(x)", "y_r = Σ_c x_rc", "dx_rc += dy_r")]
internal static class RowSumOp
{
    public static Var Forward<T>(Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorShape s = tape.Shape(x);
        Var y = tape.NewResult(TensorShape.Vector(s.Rows), x);
        ReadOnlySpan<T> xv = tape.Value(x);
        Span<T> yv = tape.Value(y);
        for (int r = 0; r < s.Rows; r++)
        {
            T sum = T.Zero;
            foreach (T v in xv.Slice(r * s.Columns, s.Columns)) sum += v;
            yv[r] = sum;
        }
        tape.Record(new OpRecord { Kind = OpKind.RowSum, Output = y.Slot, A = x.Slot });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A);
        if (!tape.RequiresGradient(x)) return;
        TensorShape s = tape.Shape(x);
        ReadOnlySpan<T> dy = tape.Gradient(new Var(op.Output));
        Span<T> dx = tape.Gradient(x);
        for (int i = 0; i < dx.Length; i++) dx[i] += dy[i / s.Columns];
    }
}

/// <summary>y[r] = log Σ_c exp x[r, c], around the row maximum. Backward: dx[r, c] += dy[r]·exp(x[r, c] − y[r]) (the softmax).</summary>
[Derivative("RowLogSumExp(x)", "y_r = log Σ_c e^{x_rc}", "dx_rc += dy_r · e^{x_rc − y_r}")]
internal static class RowLogSumExpOp
{
    public static Var Forward<T>(Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorShape s = tape.Shape(x);
        Var y = tape.NewResult(TensorShape.Vector(s.Rows), x);
        ReadOnlySpan<T> xv = tape.Value(x);
        Span<T> yv = tape.Value(y);
        // Float goes through the vector kernel: our own exp/log in a fixed sum order, so the IWAE bound has the
        // same bits on every CPU; double (gradient checks) keeps the plain loop.
        if (typeof(T) == typeof(float))
            Kernels.Reductions.RowLogSumExp(MemoryMarshal.Cast<T, float>(xv), s.Rows, s.Columns, MemoryMarshal.Cast<T, float>(yv));
        else
            for (int r = 0; r < s.Rows; r++) yv[r] = LogSumExp(xv.Slice(r * s.Columns, s.Columns));
        tape.Record(new OpRecord { Kind = OpKind.RowLogSumExp, Output = y.Slot, A = x.Slot });
        return y;
    }

    /// <summary>log Σ exp(values) around their maximum (so it neither overflows nor underflows): the library's one log-sum-exp.</summary>
    public static T LogSumExp<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = T.NegativeInfinity;
        foreach (T v in values) max = T.Max(max, v);
        if (!T.IsFinite(max)) return max;
        T sum = T.Zero;
        foreach (T v in values) sum += T.Exp(v - max);
        return max + T.Log(sum);
    }

    private static T Exp<T>(T v) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? (T)(object)Kernels.Transcendentals.Exp(Kernels.Lanes1.Create((float)(object)v)).Value : T.Exp(v);

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A), y = new(op.Output);
        if (!tape.RequiresGradient(x)) return;
        int columns = tape.Shape(x).Columns;
        ReadOnlySpan<T> dy = tape.Gradient(y), yv = tape.Value(y), xv = tape.Value(x);
        Span<T> dx = tape.Gradient(x);
        // Float uses our exp (the scalar lane of the vector kernel), not the BCL's, whose bits differ between CPUs:
        // the IWAE gradient then has the same bits everywhere, as its forward does.
        for (int i = 0; i < dx.Length; i++) dx[i] += dy[i / columns] * Exp(xv[i] - yv[i / columns]);
    }
}

public static partial class TapeOps
{
    /// <summary>The sum of all elements, as a one-element value.</summary>
    public static Var Sum<T>(this Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> => SumOp.Forward(tape, x);

    /// <summary>The mean of all elements, as a one-element value.</summary>
    public static Var Mean<T>(this Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> => MeanOp.Forward(tape, x);

    /// <summary>The sum of each row: a vector with one element per row.</summary>
    public static Var RowSum<T>(this Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> => RowSumOp.Forward(tape, x);

    /// <summary>log Σ exp of each row, computed stably: a vector with one element per row.</summary>
    public static Var RowLogSumExp<T>(this Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T> => RowLogSumExpOp.Forward(tape, x);
}
