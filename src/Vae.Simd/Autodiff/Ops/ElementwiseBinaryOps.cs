using System.Numerics;

namespace Vae.Simd.Autodiff;

/// <summary>a + b, with b either of a's shape or one row broadcast over a's rows. Backward: da += dy; db += dy (column sums when broadcast).</summary>
[Derivative("Add(a, b)", "a + b (b may be one row, broadcast)", "da += dy; db += dy (Σ_rows when broadcast)")]
internal static class AddOp
{
    public static Var Forward<T>(Tape<T> tape, Var a, Var b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool broadcast = BroadcastShapes.IsRowBroadcast(tape.Shape(a), tape.Shape(b), "Add");
        Var y = tape.NewResult(tape.Shape(a), a, b);
        Span<T> yv = tape.Value(y);
        if (broadcast) { tape.Value(a).CopyTo(yv); TensorMath<T>.AddRowBias(yv, tape.Shape(a).Rows, tape.Value(b)); }
        else TensorMath<T>.Add(tape.Value(a), tape.Value(b), yv);
        tape.Record(new OpRecord { Kind = OpKind.Add, Output = y.Slot, A = a.Slot, B = b.Slot, Attribute = broadcast ? 1 : 0 });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var a = new(op.A), b = new(op.B), y = new(op.Output);
        ReadOnlySpan<T> dy = tape.Gradient(y);
        if (tape.RequiresGradient(a)) TensorMath<T>.Axpy(T.One, dy, tape.Gradient(a));
        if (tape.RequiresGradient(b))
        {
            if (op.Attribute == 1) TensorMath<T>.AddColumnSums(dy, tape.Shape(y).Rows, tape.Shape(y).Columns, tape.Gradient(b));
            else TensorMath<T>.Axpy(T.One, dy, tape.Gradient(b));
        }
    }
}

/// <summary>a − b (b as in <see cref="AddOp"/>). Backward: da += dy; db −= dy.</summary>
[Derivative("Subtract(a, b)", "a − b (b may be one row, broadcast)", "da += dy; db −= dy (Σ_rows when broadcast)")]
internal static class SubtractOp
{
    public static Var Forward<T>(Tape<T> tape, Var a, Var b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool broadcast = BroadcastShapes.IsRowBroadcast(tape.Shape(a), tape.Shape(b), "Subtract");
        Var y = tape.NewResult(tape.Shape(a), a, b);
        Span<T> yv = tape.Value(y);
        ReadOnlySpan<T> av = tape.Value(a), bv = tape.Value(b);
        int columns = tape.Shape(a).Columns;
        for (int i = 0; i < yv.Length; i++) yv[i] = av[i] - bv[broadcast ? i % columns : i];
        tape.Record(new OpRecord { Kind = OpKind.Subtract, Output = y.Slot, A = a.Slot, B = b.Slot, Attribute = broadcast ? 1 : 0 });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var a = new(op.A), b = new(op.B), y = new(op.Output);
        ReadOnlySpan<T> dy = tape.Gradient(y);
        if (tape.RequiresGradient(a)) TensorMath<T>.Axpy(T.One, dy, tape.Gradient(a));
        if (tape.RequiresGradient(b))
        {
            Span<T> db = tape.Gradient(b);
            int columns = tape.Shape(y).Columns;
            for (int i = 0; i < dy.Length; i++) db[op.Attribute == 1 ? i % columns : i] -= dy[i];
        }
    }
}

/// <summary>a ⊙ b (b as in <see cref="AddOp"/>). Backward: da += dy ⊙ b; db += dy ⊙ a (summed over rows when broadcast).</summary>
[Derivative("Multiply(a, b)", "a ⊙ b (b may be one row, broadcast)", "da += dy ⊙ b; db += dy ⊙ a (Σ_rows when broadcast)")]
internal static class MultiplyOp
{
    public static Var Forward<T>(Tape<T> tape, Var a, Var b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool broadcast = BroadcastShapes.IsRowBroadcast(tape.Shape(a), tape.Shape(b), "Multiply");
        Var y = tape.NewResult(tape.Shape(a), a, b);
        Span<T> yv = tape.Value(y);
        ReadOnlySpan<T> av = tape.Value(a), bv = tape.Value(b);
        int columns = tape.Shape(a).Columns;
        for (int i = 0; i < yv.Length; i++) yv[i] = av[i] * bv[broadcast ? i % columns : i];
        tape.Record(new OpRecord { Kind = OpKind.Multiply, Output = y.Slot, A = a.Slot, B = b.Slot, Attribute = broadcast ? 1 : 0 });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var a = new(op.A), b = new(op.B), y = new(op.Output);
        ReadOnlySpan<T> dy = tape.Gradient(y), av = tape.Value(a), bv = tape.Value(b);
        int columns = tape.Shape(y).Columns;
        bool broadcast = op.Attribute == 1;
        if (tape.RequiresGradient(a))
        {
            Span<T> da = tape.Gradient(a);
            for (int i = 0; i < dy.Length; i++) da[i] += dy[i] * bv[broadcast ? i % columns : i];
        }
        if (tape.RequiresGradient(b))
        {
            Span<T> db = tape.Gradient(b);
            for (int i = 0; i < dy.Length; i++) db[broadcast ? i % columns : i] += dy[i] * av[i];
        }
    }
}

public static partial class TapeOps
{
    /// <summary>a + b; b has a's shape or is one row added to every row of a.</summary>
    public static Var Add<T>(this Tape<T> tape, Var a, Var b) where T : unmanaged, IFloatingPointIeee754<T> => AddOp.Forward(tape, a, b);

    /// <summary>a − b; b has a's shape or is one row subtracted from every row of a.</summary>
    public static Var Subtract<T>(this Tape<T> tape, Var a, Var b) where T : unmanaged, IFloatingPointIeee754<T> => SubtractOp.Forward(tape, a, b);

    /// <summary>a ⊙ b; b has a's shape or is one row multiplied into every row of a.</summary>
    public static Var Multiply<T>(this Tape<T> tape, Var a, Var b) where T : unmanaged, IFloatingPointIeee754<T> => MultiplyOp.Forward(tape, a, b);
}
