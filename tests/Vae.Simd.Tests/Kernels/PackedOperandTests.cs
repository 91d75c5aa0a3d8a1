using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vae.Simd.Kernels;

namespace Vae.Simd.Tests.Kernels;

/// <summary>
/// A GEMM that reads op(B) from a <see cref="PackedOperand"/> gives bitwise the result of packing B per call, for
/// any shape (several column and k blocks included), either storage of B, any thread count and any column slab,
/// with a sparse A, and with NaN or infinity in B; packing in parts on several threads gives the same panels.
/// </summary>
public unsafe class PackedOperandTests
{
    public static Arbitrary<GemmTests.Problem> Problems() =>
        (from m in Gen.Frequency((3, Gen.Choose(1, 80)), (1, Gen.Elements(64, 128, 197)))
         from n in Gen.Frequency((3, Gen.Choose(1, 140)), (1, Gen.Elements(400, 784, 1043)))
         from k in Gen.Frequency((3, Gen.Choose(1, 90)), (1, Gen.Elements(400, 513, 784)))
         from ta in Gen.Elements(Transpose.No, Transpose.Yes)
         from tb in Gen.Elements(Transpose.No, Transpose.Yes)
         from pads in Gen.Choose(0, 3).Three()
         from alpha in Gen.Elements(1f, -0.5f)
         from beta in Gen.Elements(0f, 1f, 0.25f)
         from seed in Gen.Choose(0, int.MaxValue)
         select new GemmTests.Problem(m, n, k, ta, tb, pads.Item1, pads.Item2, pads.Item3, alpha, beta, seed)).ToArbitrary();

    [Property(MaxTest = 40, Arbitrary = [typeof(PackedOperandTests)])]
    public void PrepackedBGivesThePerCallPackingsBits(GemmTests.Problem p)
    {
        var random = new Random(p.Seed);
        (int aRows, int aCols) = p.TransA == Transpose.No ? (p.M, p.K) : (p.K, p.M);
        (int bRows, int bCols) = p.TransB == Transpose.No ? (p.K, p.N) : (p.N, p.K);
        int lda = aCols + p.PadA, ldb = bCols + p.PadB, ldc = p.N + p.PadC;
        float[] a = GemmTests.Filled(random, aRows * lda), b = GemmTests.Filled(random, bRows * ldb);
        // Zero pixels for the sparse path, and now and then a non-finite B (where skipping zeros is not allowed).
        for (int i = 0; i < a.Length; i++) if (random.Next(4) != 0) a[i] = 0f;
        if (random.Next(3) == 0) b[random.Next(b.Length)] = random.Next(2) == 0 ? float.NaN : float.PositiveInfinity;
        float[] start = GemmTests.Filled(random, p.M * ldc);

        var packed = new PackedOperand(p.TransB, p.K, p.N);
        // Packed in random parts, in random order, as the threads of a step would.
        int parts = random.Next(1, 4);
        foreach (int part in Enumerable.Range(0, parts).OrderBy(_ => random.Next()))
            packed.Pack(b, ldb, packed.Panels * part / parts, packed.Panels * (part + 1) / parts);

        foreach (SparseOperand sparse in new[] { SparseOperand.None, SparseOperand.A })
            foreach (int threads in new[] { 1, 2 })
            {
                float[] perCall = (float[])start.Clone(), prepacked = (float[])start.Clone();
                Gemm.Multiply(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, a, lda, b, ldb, p.Beta, perCall, ldc, threads, sparse);
                Gemm.Multiply(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, a, lda, b, ldb, p.Beta, prepacked, ldc, threads, sparse, packed);
                Assert.Equal(perCall, prepacked);
            }
    }

    [Theory]
    [InlineData(Transpose.No, false)]
    [InlineData(Transpose.Yes, false)]
    [InlineData(Transpose.No, true)]
    [InlineData(Transpose.Yes, true)]
    public void SlabsThatStraddleAColumnBlockReadTheRightPanels(Transpose transB, bool portable)
    {
        // A slab from column 1008 to 1072 crosses the first column block's end (NC = 1024) of the prepacked layout.
        const int M = 13, N = 1100, K = 530, J0 = 1008, J1 = 1072;
        var random = new Random(21);
        float[] a = GemmTests.Filled(random, M * K), b = GemmTests.Filled(random, N * K);
        var packed = new PackedOperand(transB, K, N);
        packed.Pack(b, transB == Transpose.No ? N : K);
        float[] perCall = new float[M * N], prepacked = new float[M * N];
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc1 = perCall) fixed (float* pc2 = prepacked)
        {
            int ldb = transB == Transpose.No ? N : K;
            Gemm.Compute(Transpose.No, transB, 0, M, J0, J1, K, 1f, pa, K, pb, ldb, 0f, pc1, N, portable);
            Gemm.Compute(Transpose.No, transB, 0, M, J0, J1, K, 1f, pa, K, pb, ldb, 0f, pc2, N, portable, prepackedB: packed);
        }
        Assert.Equal(perCall, prepacked);
        Assert.Contains(prepacked, v => v != 0f);
    }

    [Fact]
    public void APrepackedOperandOfAnotherShapeIsRefused()
    {
        float[] a = new float[6 * 5], b = new float[5 * 7], c = new float[6 * 7];
        var wrongDepth = new PackedOperand(Transpose.No, 4, 7);
        var e = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(Transpose.No, Transpose.No, 6, 7, 5, 1f, a, 5, b, 7, 0f, c, 7, 1, SparseOperand.None, wrongDepth));
        Assert.Contains("prepacked", e.Message);
        var wrongStorage = new PackedOperand(Transpose.Yes, 5, 7);
        Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(Transpose.No, Transpose.No, 6, 7, 5, 1f, a, 5, b, 7, 0f, c, 7, 1, SparseOperand.None, wrongStorage));
    }

    [Fact]
    public void PackingChecksItsRangeAndSource()
    {
        var packed = new PackedOperand(Transpose.No, 5, 40);
        Assert.Equal(3, packed.Panels);
        Assert.Throws<ArgumentOutOfRangeException>(() => packed.Pack(new float[5 * 40], 40, 2, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => packed.Pack(new float[5 * 40], 40, 2, 1));
        var e = Assert.Throws<ArgumentException>(() => packed.Pack(new float[5 * 40 - 1], 40));
        Assert.Contains("stride", e.Message);
        Assert.Throws<ArgumentException>(() => packed.Pack(new float[5 * 40], 39));
        Assert.Throws<ArgumentException>(() => new PackedOperand(Transpose.No, 0, 3));
    }
}
