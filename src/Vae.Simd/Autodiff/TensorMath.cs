using System.Numerics;
using System.Runtime.InteropServices;
using Vae.Simd.Kernels;

namespace Vae.Simd.Autodiff;

/// <summary>
/// The numeric work of the ops, for either element type: float goes to the SIMD kernels
/// (the <c>typeof(T) == typeof(float)</c> tests are constants the JIT folds away), double runs plain
/// loops in double precision, which is what <see cref="GradCheck"/> evaluates.
/// </summary>
internal static class TensorMath<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static Span<float> F(Span<T> s) => MemoryMarshal.Cast<T, float>(s);
    private static ReadOnlySpan<float> F(ReadOnlySpan<T> s) => MemoryMarshal.Cast<T, float>(s);
    private static float F(T v) => float.CreateTruncating(v);

    /// <summary>C = α·op(A)·op(B) + β·C (see <see cref="Kernels.Gemm"/>).</summary>
    /// <remarks><paramref name="sparse"/> names an operand with many exact zeros whose zero k-steps the float GEMM skips (same result; see <see cref="SparseOperand"/>).</remarks>
    public static void Gemm(Transpose ta, Transpose tb, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, SparseOperand sparse = SparseOperand.None)
    {
        if (typeof(T) == typeof(float))
        {
            Kernels.Gemm.Multiply(ta, tb, m, n, k, F(alpha), F(a), lda, F(b), ldb, F(beta), F(c), ldc, 1, sparse);
            return;
        }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                    sum += (ta == Transpose.No ? a[i * lda + p] : a[p * lda + i]) * (tb == Transpose.No ? b[p * ldb + j] : b[j * ldb + p]);
                c[i * ldc + j] = beta == T.Zero ? alpha * sum : alpha * sum + beta * c[i * ldc + j];
            }
    }

    /// <summary>Every row of the matrix += bias.</summary>
    public static void AddRowBias(Span<T> matrix, int rows, ReadOnlySpan<T> bias)
    {
        if (typeof(T) == typeof(float)) { ElementWise.AddRowBias(F(matrix), rows, F(bias)); return; }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < bias.Length; c++) matrix[r * bias.Length + c] += bias[c];
    }

    /// <summary>The share of exact zeros in <paramref name="x"/>.</summary>
    public static double ZeroFraction(ReadOnlySpan<T> x)
    {
        if (typeof(T) == typeof(float)) return Reductions.ZeroFraction(F(x));
        int zeros = 0;
        foreach (T v in x) zeros += v == T.Zero ? 1 : 0;
        return x.IsEmpty ? 0 : zeros / (double)x.Length;
    }

    /// <summary>destination[c] += Σ_r matrix[r, c].</summary>
    public static void AddColumnSums(ReadOnlySpan<T> matrix, int rows, int columns, Span<T> destination)
    {
        if (typeof(T) == typeof(float)) { Reductions.AddColumnSums(F(matrix), rows, columns, F(destination)); return; }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) destination[c] += matrix[r * columns + c];
    }

    /// <summary>
    /// destination[c] = Σ_r matrix[r, c] when <paramref name="beta"/> is 0 (destination is not read), else
    /// destination[c] += Σ_r matrix[r, c]; either way the rows are added in order, so both give the same bits.
    /// </summary>
    public static void ColumnSums(ReadOnlySpan<T> matrix, int rows, int columns, Span<T> destination, T beta)
    {
        if (beta != T.Zero || rows == 0)
        {
            if (beta == T.Zero) destination.Clear();
            AddColumnSums(matrix, rows, columns, destination);
            return;
        }
        if (destination.Length != columns || matrix.Length < columns)
            throw new ArgumentException($"ColumnSums: a {rows} x {columns} matrix of {matrix.Length} elements does not fit a destination of {destination.Length}.");
        matrix[..columns].CopyTo(destination);
        AddColumnSums(matrix[columns..], rows - 1, columns, destination);
    }

    /// <summary>destination = x + y.</summary>
    public static void Add(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
    {
        if (typeof(T) == typeof(float)) { ElementWise.Add(F(x), F(y), F(destination)); return; }
        for (int i = 0; i < x.Length; i++) destination[i] = x[i] + y[i];
    }

    /// <summary>y += α·x.</summary>
    public static void Axpy(T alpha, ReadOnlySpan<T> x, Span<T> y)
    {
        if (typeof(T) == typeof(float)) { ElementWise.Axpy(F(alpha), F(x), F(y)); return; }
        for (int i = 0; i < x.Length; i++) y[i] += alpha * x[i];
    }

    /// <summary>destination += x ⊙ y.</summary>
    public static void MultiplyAdd(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
    {
        if (typeof(T) == typeof(float)) { ElementWise.MultiplyAdd(F(x), F(y), F(destination)); return; }
        for (int i = 0; i < x.Length; i++) destination[i] += x[i] * y[i];
    }

    public static void Relu(ReadOnlySpan<T> x, Span<T> y)
    {
        if (typeof(T) == typeof(float)) { VectorMath.Relu(F(x), F(y)); return; }
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > T.Zero ? x[i] : T.Zero;
    }

    public static void Tanh(ReadOnlySpan<T> x, Span<T> y)
    {
        if (typeof(T) == typeof(float)) { VectorMath.Tanh(F(x), F(y)); return; }
        for (int i = 0; i < x.Length; i++) y[i] = T.Tanh(x[i]);
    }

    public static void Exp(ReadOnlySpan<T> x, Span<T> y)
    {
        if (typeof(T) == typeof(float)) { VectorMath.Exp(F(x), F(y)); return; }
        for (int i = 0; i < x.Length; i++) y[i] = T.Exp(x[i]);
    }

    public static void Log(ReadOnlySpan<T> x, Span<T> y)
    {
        if (typeof(T) == typeof(float)) { VectorMath.Log(F(x), F(y)); return; }
        for (int i = 0; i < x.Length; i++) y[i] = T.Log(x[i]);
    }

    public static void Sigmoid(ReadOnlySpan<T> x, Span<T> y)
    {
        if (typeof(T) == typeof(float)) { VectorMath.Sigmoid(F(x), F(y)); return; }
        for (int i = 0; i < x.Length; i++) y[i] = T.One / (T.One + T.Exp(-x[i]));
    }

    public static void Softplus(ReadOnlySpan<T> x, Span<T> y)
    {
        if (typeof(T) == typeof(float)) { VectorMath.Softplus(F(x), F(y)); return; }
        for (int i = 0; i < x.Length; i++) y[i] = SoftplusScalar(x[i]);
    }

    /// <summary>softplus in T: max(x, 0) + log(1 + e^−|x|), the stable form.</summary>
    public static T SoftplusScalar(T x) => T.Max(x, T.Zero) + T.LogP1(T.Exp(-T.Abs(x)));

    /// <summary>σ(x) in T.</summary>
    public static T SigmoidScalar(T x) => T.One / (T.One + T.Exp(-x));

    /// <summary>gradient ← gradient ⊙ f′ expressed through the activation's output y (in place).</summary>
    public static void ActivationGradientInPlace(Activation activation, Span<T> gradient, ReadOnlySpan<T> y)
    {
        if (activation == Activation.Relu) Derivatives.ApplyInPlace<ReluDerivative, T>(gradient, y);
        else if (activation == Activation.Tanh) Derivatives.ApplyInPlace<TanhDerivative, T>(gradient, y);
    }

    /// <summary>destination[r] = Σ_c x·l − softplus(l).</summary>
    public static void BernoulliLogLikelihood(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, int rows, int columns, Span<T> destination)
    {
        if (typeof(T) == typeof(float)) { LossKernels.BernoulliLogLikelihood(F(logits), F(targets), rows, columns, F(destination)); return; }
        for (int r = 0; r < rows; r++)
        {
            T sum = T.Zero;
            for (int c = 0; c < columns; c++)
            {
                T l = logits[r * columns + c];
                sum += targets[r * columns + c] * l - SoftplusScalar(l);
            }
            destination[r] = sum;
        }
    }

    /// <summary>gradient[r,c] += upstream[r]·(x − σ(l)).</summary>
    public static void BernoulliLogLikelihoodGradient(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, int rows, int columns, ReadOnlySpan<T> upstream, Span<T> gradient, T beta)
    {
        if (beta != T.Zero && beta != T.One) throw new ArgumentOutOfRangeException(nameof(beta), beta, "BernoulliLogLikelihoodGradient: beta must be 0 (write) or 1 (add).");
        if (typeof(T) == typeof(float))
        {
            LossKernels.BernoulliLogLikelihoodGradient(F(logits), F(targets), rows, columns, F(upstream), F(gradient), add: beta == T.One);
            return;
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                int i = r * columns + c;
                T term = upstream[r] * (targets[i] - SigmoidScalar(logits[i]));
                gradient[i] = beta == T.Zero ? term : gradient[i] + term;
            }
    }
}
