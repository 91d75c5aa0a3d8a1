using System.Numerics;
using Vae.Simd.Tensors;

namespace Vae.Simd.Autodiff;

/// <summary>
/// y[r·k + j, :] = x[r, :] for j &lt; k: every row repeated k times in place, so the k importance samples of one example
/// sit next to each other (the layout the importance-weighted bound's per-example log-sum-exp reads).
/// Backward: dx[r, :] += Σ_j dy[r·k + j, :].
/// </summary>
[Derivative("RepeatRows(x, k)", "y_{rk+j} = x_r for j < k (each row k times, in place)", "dx_r += Σ_j dy_{rk+j}")]
internal static class RepeatRowsOp
{
    public static Var Forward<T>(Tape<T> tape, Var x, int times) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (times < 1) throw new ArgumentOutOfRangeException(nameof(times), $"RepeatRows: each row is repeated at least once; got {times}.");
        TensorShape s = tape.Shape(x);
        Var y = tape.NewResult(TensorShape.Matrix(checked(s.Rows * times), s.Columns), x);
        ReadOnlySpan<T> xv = tape.Value(x);
        Span<T> yv = tape.Value(y);
        int columns = s.Columns;
        for (int r = 0; r < s.Rows; r++)
        {
            ReadOnlySpan<T> row = xv.Slice(r * columns, columns);
            for (int j = 0; j < times; j++) row.CopyTo(yv.Slice((r * times + j) * columns, columns));
        }
        tape.Record(new OpRecord { Kind = OpKind.RepeatRows, Output = y.Slot, A = x.Slot, Attribute = times });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A), y = new(op.Output);
        if (!tape.RequiresGradient(x)) return;
        int times = op.Attribute, columns = tape.Shape(x).Columns;
        ReadOnlySpan<T> dy = tape.Gradient(y);
        Span<T> dx = tape.Gradient(x);
        int rows = dx.Length / columns;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < times; j++)
                TensorMath<T>.Axpy(T.One, dy.Slice((r * times + j) * columns, columns), dx.Slice(r * columns, columns));
    }
}

public static partial class TapeOps
{
    /// <summary>Each row of <paramref name="x"/> repeated <paramref name="times"/> times, the copies of a row adjacent: [rows·times × columns].</summary>
    public static Var RepeatRows<T>(this Tape<T> tape, Var x, int times) where T : unmanaged, IFloatingPointIeee754<T> => RepeatRowsOp.Forward(tape, x, times);
}
