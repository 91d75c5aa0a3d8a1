using System.Numerics;
using Vae.Simd.Kernels;
using Vae.Simd.Tensors;

namespace Vae.Simd.Autodiff;

/// <summary>
/// C = op(A)·op(B). Backward, with the stored layouts read directly by the GEMM:
/// dA += dC·op(B)ᵀ (stored transposed when A is), dB += op(A)ᵀ·dC (likewise).
/// </summary>
[Derivative("MatMul(A, B, tA, tB)", "C = op(A)·op(B)", "dA += dC·op(B)ᵀ; dB += op(A)ᵀ·dC (in the stored layouts)")]
internal static class MatMulOp
{
    public static Var Forward<T>(Tape<T> tape, Var a, Var b, Transpose transA, Transpose transB) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorShape sa = tape.Shape(a), sb = tape.Shape(b);
        (int m, int kA) = transA == Transpose.No ? (sa.Rows, sa.Columns) : (sa.Columns, sa.Rows);
        (int kB, int n) = transB == Transpose.No ? (sb.Rows, sb.Columns) : (sb.Columns, sb.Rows);
        if (kA != kB)
            throw new ArgumentException($"MatMul: op(A) of {sa} and op(B) of {sb} have inner sizes {kA} and {kB}.");
        Var c = tape.NewResult(TensorShape.Matrix(m, n), a, b);
        TensorMath<T>.Gemm(transA, transB, m, n, kA, T.One, tape.Value(a), sa.Columns, tape.Value(b), sb.Columns, T.Zero, tape.Value(c), n);
        tape.Record(new OpRecord { Kind = OpKind.MatMul, Output = c.Slot, A = a.Slot, B = b.Slot, Attribute = (int)transA | ((int)transB << 1) });
        return c;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var a = new(op.A), b = new(op.B), c = new(op.Output);
        var transA = (Transpose)(op.Attribute & 1);
        var transB = (Transpose)(op.Attribute >> 1);
        TensorShape sa = tape.Shape(a), sb = tape.Shape(b);
        int m = tape.Shape(c).Rows, n = tape.Shape(c).Columns;
        int k = transA == Transpose.No ? sa.Columns : sa.Rows;
        ReadOnlySpan<T> dc = tape.Gradient(c);
        if (tape.RequiresGradient(a))
        {
            // op(B)ᵀ is B as stored when B is used transposed.
            Transpose bT = transB == Transpose.No ? Transpose.Yes : Transpose.No;
            if (transA == Transpose.No) // dA [m×k] += dC [m×n] · op(B)ᵀ [n×k]
                TensorMath<T>.Gemm(Transpose.No, bT, m, k, n, T.One, dc, n, tape.Value(b), sb.Columns, T.One, tape.Gradient(a), sa.Columns);
            else // stored dA [k×m] += op(B) [k×n] · dCᵀ [n×m]
                TensorMath<T>.Gemm(transB, Transpose.Yes, k, m, n, T.One, tape.Value(b), sb.Columns, dc, n, T.One, tape.Gradient(a), sa.Columns);
        }
        if (tape.RequiresGradient(b))
        {
            Transpose aT = transA == Transpose.No ? Transpose.Yes : Transpose.No;
            if (transB == Transpose.No) // dB [k×n] += op(A)ᵀ [k×m] · dC [m×n]
                TensorMath<T>.Gemm(aT, Transpose.No, k, n, m, T.One, tape.Value(a), sa.Columns, dc, n, T.One, tape.Gradient(b), sb.Columns);
            else // stored dB [n×k] += dCᵀ [n×m] · op(A) [m×k]
                TensorMath<T>.Gemm(Transpose.Yes, transA, n, k, m, T.One, dc, n, tape.Value(a), sa.Columns, T.One, tape.Gradient(b), sb.Columns);
        }
    }
}

public static partial class TapeOps
{
    /// <summary>C = op(A)·op(B) for matrices, with either operand used transposed.</summary>
    public static Var MatMul<T>(this Tape<T> tape, Var a, Var b, Transpose transA = Transpose.No, Transpose transB = Transpose.No)
        where T : unmanaged, IFloatingPointIeee754<T> => MatMulOp.Forward(tape, a, b, transA, transB);
}
