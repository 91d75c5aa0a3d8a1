using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vae.Simd.Kernels;
using Vae.Simd.Tensors;

namespace Vae.Simd.Tests.Kernels;

/// <summary>
/// The GEMM that skips all-zero k-steps of one operand (<see cref="SparseOperand"/>) against the double
/// reference and, bit for bit, against the dense product — on every micro-kernel, for any thread count.
/// </summary>
public unsafe class SparseGemmTests
{
    /// <summary>A GEMM problem, the operand with zeros, the share of k-steps zeroed across it, and the share of single zeros.</summary>
    public sealed record Case(GemmTests.Problem Problem, SparseOperand Sparse, double ZeroSteps, double ZeroElements);

    public static Arbitrary<Case> Cases() =>
        (from p in GemmTests.Problems().Generator
         from sparse in Gen.Elements(SparseOperand.A, SparseOperand.B)
         from steps in Gen.Elements(0.0, 1.0, 0.5, 0.81, 0.95)
         from elements in Gen.Elements(0.0, 0.5, 1.0)
         select new Case(p, sparse, steps, elements)).ToArbitrary();

    [Property(MaxTest = 60, Arbitrary = [typeof(SparseGemmTests)])]
    public bool MatchesTheDenseProductBitwiseAndTheReference(Case c)
    {
        (float[] a, float[] b, int lda, int ldb, int ldc) = Operands(c);
        GemmTests.Problem p = c.Problem;
        float[] start = GemmTests.Filled(new Random(p.Seed + 1), p.M * ldc);
        float[] dense = (float[])start.Clone(), sparse = (float[])start.Clone();
        float[] denseSmall = (float[])start.Clone(), sparsePortable = (float[])start.Clone(), densePortable = (float[])start.Clone();
        Gemm.Multiply(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, a, lda, b, ldb, p.Beta, dense, ldc, 1);
        Gemm.Multiply(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, a, lda, b, ldb, p.Beta, sparse, ldc, 1, c.Sparse);
        AssertBitwiseEqual(dense, sparse, c);
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pd = densePortable) fixed (float* ps = sparsePortable)
        {
            if (p.K > 0)
            {
                Gemm.Compute(p.TransA, p.TransB, 0, p.M, 0, p.N, p.K, p.Alpha, pa, lda, pb, ldb, p.Beta, pd, ldc, portable: true);
                Gemm.Compute(p.TransA, p.TransB, 0, p.M, 0, p.N, p.K, p.Alpha, pa, lda, pb, ldb, p.Beta, ps, ldc, portable: true, sparse: c.Sparse);
                AssertBitwiseEqual(densePortable, sparsePortable, c);
            }
        }
        // And against the double reference.
        for (int i = 0; i < p.M; i++)
            for (int j = 0; j < p.N; j++)
            {
                double sum = 0, magnitude = 0;
                for (int q = 0; q < p.K; q++)
                {
                    double av = p.TransA == Transpose.No ? a[i * lda + q] : a[q * lda + i];
                    double bv = p.TransB == Transpose.No ? b[q * ldb + j] : b[j * ldb + q];
                    sum += av * bv;
                    magnitude += Math.Abs(av * bv);
                }
                double old = p.Beta == 0f ? 0 : start[i * ldc + j];
                double expected = p.Alpha * sum + p.Beta * old;
                double tolerance = 2.0 * (p.K + 2) * Math.Pow(2, -24) * (Math.Abs(p.Alpha) * magnitude + Math.Abs(p.Beta * old)) + 1e-30;
                Assert.True(Math.Abs(sparse[i * ldc + j] - expected) <= tolerance, $"C[{i},{j}] = {sparse[i * ldc + j]}, expected {expected} ± {tolerance} for {c}");
            }
        return true;
    }

    [Theory]
    [InlineData(SparseOperand.A)]
    [InlineData(SparseOperand.B)]
    public void InfinityInTheOtherOperandStillGivesNaNAsInTheDenseProduct(SparseOperand which)
    {
        // 64 × 784 "images" with pixel 5 zero in every image, weights with an infinity at pixel 5.
        const int M = 64, K = 300, N = 40;
        var random = new Random(3);
        float[] x = GemmTests.Filled(random, M * K), w = GemmTests.Filled(random, N * K);
        for (int i = 0; i < M; i++) x[i * K + 5] = 0f;
        w[7 * K + 5] = float.PositiveInfinity;
        float[] dense = new float[M * N], sparse = new float[M * N];
        if (which == SparseOperand.A)
        {
            Gemm.Multiply(Transpose.No, Transpose.Yes, M, N, K, 1f, x, K, w, K, 0f, dense, N, 1);
            Gemm.Multiply(Transpose.No, Transpose.Yes, M, N, K, 1f, x, K, w, K, 0f, sparse, N, 1, SparseOperand.A);
        }
        else
        {
            // gᵀ·x with the zeros in x (B) along k = the image index: image 5 all zero, g infinite there.
            float[] g = GemmTests.Filled(random, K * N), xs = GemmTests.Filled(random, K * M);
            for (int j = 0; j < M; j++) xs[5 * M + j] = 0f;
            g[5 * N + 7] = float.PositiveInfinity;
            dense = new float[N * M]; sparse = new float[N * M];
            Gemm.Multiply(Transpose.Yes, Transpose.No, N, M, K, 1f, g, N, xs, M, 0f, dense, M, 1);
            Gemm.Multiply(Transpose.Yes, Transpose.No, N, M, K, 1f, g, N, xs, M, 0f, sparse, M, 1, SparseOperand.B);
        }
        Assert.Contains(dense, float.IsNaN);
        Assert.Equal(dense.Select(BitConverter.SingleToInt32Bits), sparse.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(SparseOperand.A, Transpose.No, Transpose.Yes)]
    [InlineData(SparseOperand.B, Transpose.Yes, Transpose.No)]
    public void ResultIsBitwiseTheSameForAnyThreadCount(SparseOperand which, Transpose ta, Transpose tb)
    {
        const int M = 300, K = 784, N = 400;
        var c = new Case(new GemmTests.Problem(M, N, K, ta, tb, 0, 0, 0, 1f, 0f, 11), which, 0.81, 0.5);
        (float[] a, float[] b, int lda, int ldb, int ldc) = Operands(c);
        float[] one = new float[M * ldc];
        Gemm.Multiply(ta, tb, M, N, K, 1f, a, lda, b, ldb, 0f, one, ldc, 1, which);
        foreach (int threads in new[] { 2, 8 })
        {
            float[] many = new float[M * ldc];
            Gemm.Multiply(ta, tb, M, N, K, 1f, a, lda, b, ldb, 0f, many, ldc, threads, which);
            Assert.Equal(one, many);
        }
    }

    /// <summary>
    /// Random operands; in the sparse one, a share of the k-steps is zero across the whole operand (as MNIST's
    /// background pixels are across a batch), and a share of the rest are single zeros, some of them −0.
    /// </summary>
    private static (float[] A, float[] B, int Lda, int Ldb, int Ldc) Operands(Case c)
    {
        GemmTests.Problem p = c.Problem;
        var random = new Random(p.Seed);
        (int aRows, int aCols) = p.TransA == Transpose.No ? (p.M, p.K) : (p.K, p.M);
        (int bRows, int bCols) = p.TransB == Transpose.No ? (p.K, p.N) : (p.N, p.K);
        int lda = aCols + p.PadA, ldb = bCols + p.PadB, ldc = p.N + p.PadC;
        float[] a = GemmTests.Filled(random, aRows * lda), b = GemmTests.Filled(random, bRows * ldb);
        bool inA = c.Sparse == SparseOperand.A;
        int other = inA ? p.M : p.N;
        for (int q = 0; q < p.K; q++)
        {
            bool wholeStep = random.NextDouble() < c.ZeroSteps;
            for (int r = 0; r < other; r++)
            {
                if (!wholeStep && random.NextDouble() >= c.ZeroElements * 0.5) continue;
                float zero = random.Next(4) == 0 ? -0f : 0f;
                if (inA) a[p.TransA == Transpose.No ? r * lda + q : q * lda + r] = zero;
                else b[p.TransB == Transpose.No ? q * ldb + r : r * ldb + q] = zero;
            }
        }
        return (a, b, lda, ldb, ldc);
    }

    private static void AssertBitwiseEqual(float[] expected, float[] actual, Case c)
    {
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                throw new Xunit.Sdk.XunitException($"element {i}: dense {expected[i]} but sparse {actual[i]} for {c}");
    }
}

public class ZeroFractionTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(784)]
    [InlineData(1001)]
    public void CountsExactZerosOfEitherSign(int length)
    {
        var random = new Random(length);
        float[] x = new float[length];
        int zeros = 0;
        for (int i = 0; i < length; i++)
        {
            int kind = random.Next(4);
            x[i] = kind == 0 ? 0f : kind == 1 ? -0f : kind == 2 ? float.Epsilon : (float)random.NextDouble() + 0.5f;
            zeros += kind <= 1 ? 1 : 0;
        }
        Assert.Equal(length == 0 ? 0f : zeros / (float)length, Reductions.ZeroFraction(x));
    }
}
