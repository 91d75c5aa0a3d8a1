using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vae.Simd.Kernels;
using Vae.Simd.Tensors;

namespace Vae.Simd.Tests.Kernels;

public unsafe class GemmTests
{
    /// <summary>One random GEMM problem: sizes, transposes, padding of each stride, α, β, seed.</summary>
    public sealed record Problem(int M, int N, int K, Transpose TransA, Transpose TransB, int PadA, int PadB, int PadC, float Alpha, float Beta, int Seed);

    private static readonly Gen<int> Size = Gen.Frequency(
        (3, Gen.Choose(1, 40)), (2, Gen.Choose(41, 300)), (1, Gen.Elements(1, 5, 6, 7, 15, 16, 17, 255, 256, 257)));

    public static Arbitrary<Problem> Problems() =>
        (from m in Size
         from n in Size
         from k in Size
         from ta in Gen.Elements(Transpose.No, Transpose.Yes)
         from tb in Gen.Elements(Transpose.No, Transpose.Yes)
         from pads in Gen.Choose(0, 3).Three()
         from alpha in Gen.Elements(1f, -0.5f, 2f)
         from beta in Gen.Elements(0f, 1f, 0.25f)
         from seed in Gen.Choose(0, int.MaxValue)
         select new Problem(m, n, k, ta, tb, pads.Item1, pads.Item2, pads.Item3, alpha, beta, seed)).ToArbitrary();

    [Property(MaxTest = 60, Arbitrary = [typeof(GemmTests)])]
    public bool MatchesDoubleReference(Problem p) => Check(p, portable: false, threads: 1);

    [Property(MaxTest = 25, Arbitrary = [typeof(GemmTests)])]
    public bool PortableKernelMatchesDoubleReference(Problem p) => Check(p, portable: true, threads: 1);

    internal static bool Check(Problem p, bool portable, int threads, bool sampled = false, Action<int>? threadsUsed = null)
    {
        var random = new Random(p.Seed);
        (int aRows, int aCols) = p.TransA == Transpose.No ? (p.M, p.K) : (p.K, p.M);
        (int bRows, int bCols) = p.TransB == Transpose.No ? (p.K, p.N) : (p.N, p.K);
        int lda = aCols + p.PadA, ldb = bCols + p.PadB, ldc = p.N + p.PadC;
        float[] a = Filled(random, aRows * lda), b = Filled(random, bRows * ldb), c = Filled(random, p.M * ldc);
        const float Sentinel = 12345.5f;
        for (int i = 0; i < p.M; i++)
            for (int j = p.N; j < ldc; j++) c[i * ldc + j] = Sentinel;
        if (p.Beta == 0f) // β = 0 must not read C: NaN there must not reach the result
            for (int i = 0; i < p.M; i++) c[i * ldc] = float.NaN;
        float[] original = (float[])c.Clone();

        if (portable)
        {
            fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
                Gemm.Compute(p.TransA, p.TransB, 0, p.M, 0, p.N, p.K, p.Alpha, pa, lda, pb, ldb, p.Beta, pc, ldc, portable: true);
        }
        else if (threadsUsed is null)
        {
            Gemm.Multiply(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, a, lda, b, ldb, p.Beta, c, ldc, threads);
        }
        else
        {
            // Whether a pool thread wakes before the caller has done every slab is up to the OS; the product
            // is run again (from the same C) until one run used several threads, for at most 20 s.
            int used = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (used < 2 && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                original.CopyTo(c, 0);
                used = ParallelLoops.ThreadsUsedBy(() => Gemm.Multiply(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, a, lda, b, ldb, p.Beta, c, ldc, threads));
            }
            threadsUsed(used);
        }
        int sampleStride = sampled ? Math.Max(1, p.M * p.N / 4096) : 1;

        for (int i = 0; i < p.M; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                if (j >= p.N)
                {
                    if (c[i * ldc + j] != Sentinel) return false; // wrote outside the view
                    continue;
                }
                bool edge = i == 0 || i == p.M - 1 || j == 0 || j == p.N - 1;
                if (!edge && (i * p.N + j) % sampleStride != 0) continue;
                double sum = 0, magnitude = 0;
                for (int q = 0; q < p.K; q++)
                {
                    double av = p.TransA == Transpose.No ? a[i * lda + q] : a[q * lda + i];
                    double bv = p.TransB == Transpose.No ? b[q * ldb + j] : b[j * ldb + q];
                    sum += av * bv;
                    magnitude += Math.Abs(av * bv);
                }
                double cOld = p.Beta == 0f ? 0 : original[i * ldc + j];
                double expected = p.Alpha * sum + p.Beta * cOld;
                // Float accumulation over K terms: each partial sum can be off by 2^-24 of the running magnitude.
                double tolerance = 2.0 * (p.K + 2) * Math.Pow(2, -24) * (Math.Abs(p.Alpha) * magnitude + Math.Abs(p.Beta * cOld)) + 1e-30;
                double actual = c[i * ldc + j];
                if (!(Math.Abs(actual - expected) <= tolerance))
                    throw new Xunit.Sdk.XunitException($"C[{i},{j}] = {actual}, expected {expected} ± {tolerance} for {p}");
            }
        }
        return true;
    }

    [Theory]
    [InlineData(1, 784, 400)]
    [InlineData(2, 7, 3)]
    [InlineData(1, 33, 1)]
    [InlineData(2, 1, 17)]
    public void FewRowTransposedProductsMatchTheReference(int m, int k, int n)
    {
        foreach (float beta in new[] { 0f, 0.5f })
            Assert.True(Check(new Problem(m, n, k, Transpose.No, Transpose.Yes, 1, 2, 3, 1.5f, beta, m * 1000 + k * 10 + n), portable: false, threads: 1));
    }

    [Theory]
    [InlineData(128, 784, 400, Transpose.No, Transpose.Yes)]
    [InlineData(400, 128, 784, Transpose.Yes, Transpose.No)]
    [InlineData(97, 301, 53, Transpose.Yes, Transpose.Yes)]
    public void ResultIsBitwiseTheSameForAnyThreadCount(int m, int k, int n, Transpose ta, Transpose tb)
    {
        var random = new Random(7);
        float[] a = Filled(random, m * k), b = Filled(random, k * n);
        int lda = ta == Transpose.No ? k : m, ldb = tb == Transpose.No ? n : k;
        float[] one = new float[m * n];
        Gemm.Multiply(ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, one, n, maxThreads: 1);
        foreach (int threads in new[] { 2, 3, 8 })
        {
            float[] many = new float[m * n];
            Gemm.Multiply(ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, many, n, threads);
            Assert.Equal(one, many);
        }
    }

    [Fact]
    public void ZeroDepthScalesCByBeta()
    {
        float[] c = [1f, 2f, 3f, 4f];
        Gemm.Multiply(Transpose.No, Transpose.No, 2, 2, 0, 1f, [], 1, [], 2, 0.5f, c, 2);
        Assert.Equal(new[] { 0.5f, 1f, 1.5f, 2f }, c);
        c[0] = float.NaN;
        Gemm.Multiply(Transpose.No, Transpose.No, 2, 2, 0, 1f, [], 1, [], 2, 0f, c, 2);
        Assert.Equal(new float[4], c);
    }

    [Fact]
    public void SteadyStateAllocatesNothing()
    {
        float[] a = Filled(new Random(1), 64 * 300), b = Filled(new Random(2), 300 * 50), c = new float[64 * 50];
        Gemm.Multiply(Transpose.No, Transpose.No, 64, 50, 300, 1f, a, 300, b, 50, 0f, c, 50);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
            Gemm.Multiply(Transpose.No, Transpose.Yes, 64, 50, 300, 1f, a, 300, b, 300, 1f, c, 50);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void BadArgumentsNameTheOperand()
    {
        float[] a = new float[6], b = new float[6], c = new float[4];
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(Transpose.No, Transpose.No, 2, 2, 3, 1f, a, 2, b, 2, 0f, c, 2));
        Assert.Contains("A", e.Message);
        Assert.Contains("stride", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(Transpose.No, Transpose.No, 2, 2, 3, 1f, a, 3, b, 2, 0f, new float[3], 2));
        Assert.Contains("C", e.Message);
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(Transpose.No, Transpose.No, -1, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
    }

    internal static float[] Filled(Random random, int length)
    {
        var array = new float[length];
        for (int i = 0; i < length; i++) array[i] = (float)(random.NextDouble() * 2 - 1);
        return array;
    }
}
