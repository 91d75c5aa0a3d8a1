using System.Numerics;
using Vae.Simd.Kernels;
using Vae.Simd.Tensors;

namespace Vae.Simd.Autodiff;

/// <summary>
/// y = act(x·Wᵀ + b) for x [n × in], W [out × in] (the PyTorch layout), b [out]. One GEMM (NT) plus one
/// fused pass for bias and activation; backward: g = dy ⊙ act′(y), dx += g·W (NN), dW += gᵀ·x (TN),
/// db += column sums of g. No transposed copies: the GEMM reads the stored layouts.
/// </summary>
[Derivative("Linear(x, W, b, act)", "y = act(x·Wᵀ + b)", "g = dy ⊙ act′(y); dx += g·W; dW += gᵀ·x; db += Σ_rows g")]
internal static class LinearOp
{
    public static Var Forward<T>(Tape<T> tape, Var x, Var w, Var b, Activation activation) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorShape xs = tape.Shape(x), ws = tape.Shape(w), bs = tape.Shape(b);
        if (ws.Rank != 2 || xs.Columns != ws.Columns || bs.Length != ws.Rows)
            throw new ArgumentException($"Linear: input {xs}, weight {ws} and bias {bs} do not fit (need input [n x in], weight [out x in], bias [out]).");
        int n = xs.Rows, inputs = ws.Columns, outputs = ws.Rows;
        Var y = tape.NewResult(TensorShape.Matrix(n, outputs), x, w, b);
        Span<T> yv = tape.Value(y);
        TensorMath<T>.Gemm(Transpose.No, Transpose.Yes, n, outputs, inputs, T.One, tape.Value(x), inputs, tape.Value(w), inputs, T.Zero, yv, outputs,
            IsSparseData(tape, x) ? SparseOperand.A : SparseOperand.None);
        TensorMath<T>.AddRowBias(yv, n, tape.Value(b));
        if (activation == Activation.Relu) TensorMath<T>.Relu(yv, yv);
        else if (activation == Activation.Tanh) TensorMath<T>.Tanh(yv, yv);
        tape.Record(new OpRecord { Kind = OpKind.Linear, Output = y.Slot, A = x.Slot, B = w.Slot, C = b.Slot, Attribute = (int)activation });
        return y;
    }

    /// <summary>
    /// Zero fraction of the input at or above which the products skip its zero k-steps. Measured on MNIST
    /// batches (64 × 784 against 400 outputs, zeros replaced at random to lower the fraction; shared 2-core
    /// host, 15 alternating rounds): sparse / dense time 0.82 (forward) and 0.75 (weight gradient) at MNIST's
    /// 0.81, 0.97 and 0.96 at 0.60, 1.0–1.05 at 0.40 and below, where scanning for zero steps does not pay.
    /// </summary>
    /// <remarks>Settable for tests (which compare training with it at 0 and above 1); the bits never depend on it.</remarks>
    internal static double SparseInputZeroFraction = 0.6;

    /// <summary>Products run with a sparse operand so far (for tests: proof the sparse path ran).</summary>
    internal static long SparseProducts;

    /// <summary>
    /// Whether x is data (nothing upstream to differentiate: the first layer's input) with enough exact zeros
    /// that skipping them pays. Hidden activations are not scanned: ReLU zeros rarely line up across the
    /// six rows of a GEMM panel. Either way the product's bits are the same (<see cref="SparseOperand"/>).
    /// </summary>
    private static bool IsSparseData<T>(Tape<T> tape, Var x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float) || tape.RequiresGradient(x) || TensorMath<T>.ZeroFraction(tape.Value(x)) < SparseInputZeroFraction) return false;
        Interlocked.Increment(ref SparseProducts);
        return true;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A), w = new(op.B), b = new(op.C), y = new(op.Output);
        TensorShape ws = tape.Shape(w);
        int n = tape.Shape(x).Rows, inputs = ws.Columns, outputs = ws.Rows;
        Span<T> g = tape.Gradient(y);
        // The output's gradient is read by no other op once this one runs (every reader of y ran its backward
        // before this one), so it becomes g in place: no buffer and no pass for g. Tape.Gradient documents it.
        TensorMath<T>.ActivationGradientInPlace((Activation)op.Attribute, g, tape.Value(y));
        // dx, dW and db are whole products: written over the buffer when this is the first contribution in the pass
        // (β = 0: no clearing pass and no read of the old values), added to otherwise.
        if (tape.RequiresGradient(x))
        {
            Span<T> dx = tape.GradientToWrite(x, out T beta);
            TensorMath<T>.Gemm(Transpose.No, Transpose.No, n, inputs, outputs, T.One, g, outputs, tape.Value(w), inputs, beta, dx, inputs);
        }
        if (tape.RequiresGradient(w))
        {
            Span<T> dw = tape.GradientToWrite(w, out T beta);
            TensorMath<T>.Gemm(Transpose.Yes, Transpose.No, outputs, inputs, n, T.One, g, outputs, tape.Value(x), inputs, beta, dw, inputs,
                IsSparseData(tape, x) ? SparseOperand.B : SparseOperand.None);
        }
        if (tape.RequiresGradient(b))
        {
            Span<T> db = tape.GradientToWrite(b, out T beta);
            TensorMath<T>.ColumnSums(g, n, outputs, db, beta);
        }
    }
}

public static partial class TapeOps
{
    /// <summary>y = act(x·Wᵀ + b): x [n × in], W [out × in], b [out]; y [n × out].</summary>
    public static Var Linear<T>(this Tape<T> tape, Var x, Var weight, Var bias, Activation activation = Activation.None)
        where T : unmanaged, IFloatingPointIeee754<T> => LinearOp.Forward(tape, x, weight, bias, activation);
}
