using System.Runtime.Intrinsics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vae.Simd.Kernels;

namespace Vae.Simd.Tests.Kernels;

/// <summary>
/// The sparse-rows product on a transposed weight (<see cref="SparseRows"/>, single-image and batch
/// <c>Encode</c>) against a double reference, and bit for bit against the blocked GEMM (its AVX and its
/// portable micro-kernel) at every lane width, on random shapes with odd sizes and k across the GEMM's
/// k-blocks. Forces <see cref="KernelPath.Limit"/>, so it runs alone.
/// </summary>
[Collection(nameof(KernelPathCollection))]
public unsafe class SparseRowsTests
{
    /// <summary>Rows, inputs, outputs, the share of exact zeros in X (some −0), and a seed.</summary>
    public sealed record Case(int M, int K, int N, double Zeros, int Seed);

    public static Arbitrary<Case> Cases() =>
        (from m in Gen.Choose(1, 7)
         from k in Gen.OneOf(Gen.Choose(1, 40), Gen.Choose(500, 1100))
         from n in Gen.OneOf(Gen.Choose(1, 20), Gen.Choose(60, 140))
         from zeros in Gen.Elements(0.0, 0.5, 0.81, 0.97, 1.0)
         from seed in Gen.Choose(0, 1_000_000)
         select new Case(m, k, n, zeros, seed)).ToArbitrary();

    [Property(MaxTest = 40, Arbitrary = [typeof(SparseRowsTests)])]
    public void MatchesTheGemmBitwiseAtEveryWidthAndTheDoubleReference(Case c)
    {
        var random = new Random(c.Seed);
        int ldw = c.N + c.Seed % 3; // a padded stride too
        float[] x = new float[c.M * c.K], w = new float[c.N * c.K], wt = new float[c.K * ldw];
        for (int i = 0; i < x.Length; i++)
            x[i] = random.NextDouble() < c.Zeros ? (random.Next(2) == 0 ? 0f : -0f) : (float)(random.NextDouble() * 2 - 1);
        for (int i = 0; i < w.Length; i++) w[i] = (float)(random.NextDouble() * 2 - 1);
        for (int j = 0; j < c.N; j++)
            for (int i = 0; i < c.K; i++) wt[i * ldw + j] = w[j * c.K + i];

        // The blocked GEMM, C = X·Wᵀ with W in its stored layout (what Linear runs for a batch).
        float[] gemm = new float[c.M * c.N], portable = new float[c.M * c.N];
        fixed (float* px = x, pw = w, pg = gemm, pp = portable)
        {
            Gemm.Compute(Transpose.No, Transpose.Yes, 0, c.M, 0, c.N, c.K, 1f, px, c.K, pw, c.K, 0f, pg, c.N);
            Gemm.Compute(Transpose.No, Transpose.Yes, 0, c.M, 0, c.N, c.K, 1f, px, c.K, pw, c.K, 0f, pp, c.N, portable: true);
        }
        AssertBitwiseEqual(gemm, portable, "portable GEMM", c);

        foreach (LaneWidth width in Widths())
        {
            float[] y = Run(x, wt, ldw, c, width, skipZeros: true);
            AssertBitwiseEqual(gemm, y, $"sparse rows at {width}", c);
            AssertBitwiseEqual(gemm, Run(x, wt, ldw, c, width, skipZeros: false), $"all rows listed at {width}", c);
        }

        float[] result = Run(x, wt, ldw, c, LaneWidth.Vector256, skipZeros: true);
        for (int r = 0; r < c.M; r++)
            for (int j = 0; j < c.N; j++)
            {
                double sum = 0, magnitude = 0;
                for (int i = 0; i < c.K; i++)
                {
                    double product = (double)x[r * c.K + i] * w[j * c.K + i];
                    sum += product;
                    magnitude += Math.Abs(product);
                }
                double tolerance = 2.0 * (c.K + 2) * Math.Pow(2, -24) * magnitude + 1e-30;
                Assert.True(Math.Abs(result[r * c.N + j] - sum) <= tolerance, $"Y[{r},{j}] = {result[r * c.N + j]}, expected {sum} ± {tolerance} for {c}");
            }
    }

    [Fact]
    public void ListsTheNonZeroStepsInOrder()
    {
        float[] x = [0f, 1f, -0f, float.NaN, 0f, -2f, float.Epsilon];
        int[] steps = new int[x.Length];
        Assert.Equal(4, SparseRows.ListSteps(x, steps, skipZeros: true));
        Assert.Equal([1, 3, 5, 6], steps[..4]);
        Assert.Equal(7, SparseRows.ListSteps(x, steps, skipZeros: false));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], steps);

        // Longer rows take the packed eight-at-a-time loop where there is one: the same lists.
        var random = new Random(3);
        foreach (int length in new[] { 8, 9, 16, 31, 784, 1001 })
            foreach (double zeros in new[] { 0.0, 0.5, 0.81, 1.0 })
            {
                float[] row = Enumerable.Range(0, length).Select(_ => random.NextDouble() < zeros ? (random.Next(2) == 0 ? 0f : -0f) : (float)random.NextDouble() - 0.5f).ToArray();
                int[] expected = Enumerable.Range(0, length).Where(i => row[i] != 0f).ToArray();
                int[] listed = new int[length];
                int count = SparseRows.ListSteps(row, listed, skipZeros: true);
                Assert.Equal(expected, listed[..count]);
            }
    }

    [Fact]
    public void BuffersThatDoNotFitAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => SparseRows.Multiply(2, 3, 4, new float[6], new int[6], new int[2], new float[11], 4, new float[8]));
        Assert.Contains("2 rows x 3 inputs x 4 outputs", e.Message);
    }

    private static float[] Run(float[] x, float[] wt, int ldw, Case c, LaneWidth width, bool skipZeros)
    {
        int[] steps = new int[c.M * c.K], counts = new int[c.M];
        for (int r = 0; r < c.M; r++) counts[r] = SparseRows.ListSteps(x.AsSpan(r * c.K, c.K), steps.AsSpan(r * c.K, c.K), skipZeros);
        float[] y = Enumerable.Repeat(float.NaN, c.M * c.N).ToArray(); // overwritten, never read
        LaneWidth saved = KernelPath.Limit;
        KernelPath.Limit = width;
        try { SparseRows.Multiply(c.M, c.K, c.N, x, steps, counts, wt, ldw, y); }
        finally { KernelPath.Limit = saved; }
        return y;
    }

    private static IEnumerable<LaneWidth> Widths()
    {
        if (Vector256.IsHardwareAccelerated) yield return LaneWidth.Vector256;
        if (Vector128.IsHardwareAccelerated) yield return LaneWidth.Vector128;
        yield return LaneWidth.Scalar;
    }

    private static void AssertBitwiseEqual(float[] expected, float[] actual, string what, Case c)
    {
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                throw new Xunit.Sdk.XunitException($"{what}: element {i} is {actual[i]:R}, the GEMM gives {expected[i]:R}, for {c}");
    }
}
