using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vae.Simd.Kernels;

namespace Vae.Simd.Tests.Kernels;

/// <summary>
/// The GEMM's transposed evaluation (<see cref="TransposedProduct"/>: Cᵀ = op(B)ᵀ·op(A)ᵀ for C with few
/// columns) gives bitwise the direct product's result, on every micro-kernel, with any thread count, and
/// writes nothing outside C. Its accuracy against the double reference is covered by <see cref="GemmTests"/>,
/// whose random shapes take this path whenever n is small.
/// </summary>
public unsafe class TransposedProductTests
{
    public static Arbitrary<GemmTests.Problem> NarrowProblems() =>
        (from m in Gen.Frequency((3, Gen.Choose(2, 140)), (1, Gen.Elements(7, 48, 55, 128, 400)))
         from n in Gen.Choose(1, Math.Min(m - 1, TransposedProduct.MaxColumns))
         from k in Gen.Frequency((3, Gen.Choose(1, 80)), (1, Gen.Elements(17, 400, 513)))
         from ta in Gen.Elements(Transpose.No, Transpose.Yes)
         from tb in Gen.Elements(Transpose.No, Transpose.Yes)
         from pads in Gen.Choose(0, 3).Three()
         from alpha in Gen.Elements(1f, -0.5f)
         from beta in Gen.Elements(0f, 1f, 0.25f)
         from seed in Gen.Choose(0, int.MaxValue)
         select new GemmTests.Problem(m, n, k, ta, tb, pads.Item1, pads.Item2, pads.Item3, alpha, beta, seed)).ToArbitrary();

    [Property(MaxTest = 40, Arbitrary = [typeof(TransposedProductTests)])]
    public void TransposedEvaluationHasTheDirectProductsBits(GemmTests.Problem p)
    {
        Assert.True(TransposedProduct.Pays(p.M, p.N, SparseOperand.None));
        var random = new Random(p.Seed);
        (int aRows, int aCols) = p.TransA == Transpose.No ? (p.M, p.K) : (p.K, p.M);
        (int bRows, int bCols) = p.TransB == Transpose.No ? (p.K, p.N) : (p.N, p.K);
        int lda = aCols + p.PadA, ldb = bCols + p.PadB, ldc = p.N + p.PadC;
        float[] a = GemmTests.Filled(random, aRows * lda), b = GemmTests.Filled(random, bRows * ldb);
        float[] start = GemmTests.Filled(random, p.M * ldc);
        for (int i = 0; i < p.M; i++)
            for (int j = p.N; j < ldc; j++) start[i * ldc + j] = 12345.5f; // outside C: must stay untouched

        foreach (bool portable in new[] { false, true })
        {
            float[] direct = (float[])start.Clone(), transposed = (float[])start.Clone();
            fixed (float* pa = a) fixed (float* pb = b) fixed (float* pd = direct) fixed (float* pt = transposed)
            {
                Gemm.Compute(p.TransA, p.TransB, 0, p.M, 0, p.N, p.K, p.Alpha, pa, lda, pb, ldb, p.Beta, pd, ldc, portable);
                Gemm.Compute(TransposedProduct.Flip(p.TransB), TransposedProduct.Flip(p.TransA), 0, p.N, 0, p.M, p.K, p.Alpha,
                    pb, ldb, pa, lda, p.Beta, pt, ldc, portable, transposedC: true);
            }
            Assert.Equal(direct, transposed);
            if (portable) continue;
            // Gemm.Multiply sends one- or two-row NT products to the dot-product path, whose bits are the
            // reductions' order rather than the blocked product's; there it must give that path's bits.
            float[] expected = direct;
            if (p.M <= SmallRows.MaxRows && p.TransA == Transpose.No && p.TransB == Transpose.Yes)
            {
                expected = (float[])start.Clone();
                SmallRows.MultiplyTransposedB(p.M, p.N, p.K, p.Alpha, a, lda, b, ldb, p.Beta, expected, ldc);
            }
            foreach (int threads in new[] { 1, 2 })
            {
                float[] multiplied = (float[])start.Clone();
                Gemm.Multiply(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, a, lda, b, ldb, p.Beta, multiplied, ldc, threads);
                Assert.Equal(expected, multiplied);
            }
        }
    }

    [Fact]
    public void TransposedEvaluationInSlabsHasTheOneThreadBits()
    {
        // Big enough (2·4001·40·400 ≈ 128 MFLOP) for slabs on two threads, which then split Cᵀ's long side.
        const int M = 4001, N = 40, K = 400;
        var random = new Random(5);
        float[] a = GemmTests.Filled(random, M * K), b = GemmTests.Filled(random, N * K);
        float[] one = new float[M * N], two = new float[M * N];
        Gemm.Multiply(Transpose.No, Transpose.Yes, M, N, K, 1f, a, K, b, K, 0f, one, N, maxThreads: 1);
        Gemm.Multiply(Transpose.No, Transpose.Yes, M, N, K, 1f, a, K, b, K, 0f, two, N, maxThreads: 2);
        Assert.Equal(one, two);
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pd = two)
            Gemm.Compute(Transpose.No, Transpose.Yes, 0, M, 0, N, K, 1f, pa, K, pb, K, 0f, pd, N);
        Assert.Equal(one, two);
    }

    [Fact]
    public void WideOrSparseProductsAreComputedDirectly()
    {
        Assert.True(TransposedProduct.Pays(128, 40, SparseOperand.None));
        Assert.False(TransposedProduct.Pays(40, 128, SparseOperand.None));
        Assert.False(TransposedProduct.Pays(128, TransposedProduct.MaxColumns + 1, SparseOperand.None));
        Assert.False(TransposedProduct.Pays(128, 40, SparseOperand.A));
        Assert.False(TransposedProduct.Pays(128, 40, SparseOperand.B));
    }
}
