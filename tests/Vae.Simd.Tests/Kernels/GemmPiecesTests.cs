using System.Runtime.InteropServices;
using Vae.Simd.Kernels;

namespace Vae.Simd.Tests.Kernels;

/// <summary>
/// The GEMM's pieces on their own (packing of A and B, both micro-kernels) and the whole GEMM at sizes
/// that cross every blocking boundary (MC, KC, NC, the MR × NR tile) in all four transpose cases, and on
/// more than one thread — each against a plain double reference.
/// </summary>
public unsafe class GemmPiecesTests
{
    private const int MR = GemmBlocking.MR, NR = GemmBlocking.NR, KC = GemmBlocking.KC, MC = GemmBlocking.MC, NC = GemmBlocking.NC;

    public static TheoryData<Transpose, int, int, int, int> PackACases()
    {
        var data = new TheoryData<Transpose, int, int, int, int>();
        foreach (Transpose t in new[] { Transpose.No, Transpose.Yes })
        {
            data.Add(t, 0, MC, 0, 9);               // whole panels
            data.Add(t, 5, MR + 1, 3, 17);          // a partial last panel, offsets into A
            data.Add(t, 2, 2 * MR - 1, KC + 1, 33); // a block past KC
            data.Add(t, 1, 1, 0, 1);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PackACases))]
    public void PackAWritesPanelsOfMrRowsKMajorZeroPadded(Transpose trans, int i0, int mc, int p0, int kc)
    {
        int rows = i0 + mc + 2, columns = p0 + kc + 3; // op(A) is rows × columns
        (int stored0, int stored1) = trans == Transpose.No ? (rows, columns) : (columns, rows);
        int lda = stored1 + 2;
        float[] a = GemmTests.Filled(new Random(mc * 31 + kc), stored0 * lda);
        float OpA(int i, int p) => trans == Transpose.No ? a[i * lda + p] : a[p * lda + i];

        int panels = (mc + MR - 1) / MR, packedLength = panels * MR * kc;
        // Every width this machine has: the Vector256 register transposes, the Vector128 copies and the scalar path.
        foreach (LaneWidth width in WidthsOfThisMachine())
        {
            float[] packed = NaNs(packedLength + 64);
            fixed (float* pa = a) fixed (float* pp = packed)
                Packing.PackA(trans, pa, lda, i0, mc, p0, kc, pp, width);

            for (int panel = 0; panel < panels; panel++)
                for (int p = 0; p < kc; p++)
                    for (int r = 0; r < MR; r++)
                    {
                        int i = panel * MR + r;
                        float expected = i < mc ? OpA(i0 + i, p0 + p) : 0f;
                        Assert.True(expected.Equals(packed[panel * MR * kc + p * MR + r]), $"{width} panel {panel} p {p} r {r}: {packed[panel * MR * kc + p * MR + r]} vs {expected}");
                    }
            Assert.All(packed[packedLength..], v => Assert.True(float.IsNaN(v), "written past the packed block"));
        }
    }

    private static IEnumerable<LaneWidth> WidthsOfThisMachine()
    {
        yield return LaneWidth.Scalar;
        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated) yield return LaneWidth.Vector128;
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) yield return LaneWidth.Vector256;
    }

    private static float[] NaNs(int length)
    {
        float[] values = new float[length];
        Array.Fill(values, float.NaN);
        return values;
    }

    public static TheoryData<Transpose, int, int, int, int> PackBCases()
    {
        var data = new TheoryData<Transpose, int, int, int, int>();
        foreach (Transpose t in new[] { Transpose.No, Transpose.Yes })
        {
            data.Add(t, 0, 8, 0, 2 * NR);          // whole panels, one 8-deep register transpose
            data.Add(t, 3, 21, 5, NR + 7);         // a partial panel, a depth tail after the 8×8 tiles
            data.Add(t, KC + 2, 19, 1, 3 * NR);    // a block past KC
            data.Add(t, 0, 1, 0, 1);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PackBCases))]
    public void PackBWritesPanelsOfNrColumnsKMajorZeroPadded(Transpose trans, int p0, int kc, int j0, int nc)
    {
        int rows = p0 + kc + 3, columns = j0 + nc + 2; // op(B) is rows × columns
        (int stored0, int stored1) = trans == Transpose.No ? (rows, columns) : (columns, rows);
        int ldb = stored1 + 1;
        float[] b = GemmTests.Filled(new Random(nc * 17 + kc), stored0 * ldb);
        float OpB(int p, int j) => trans == Transpose.No ? b[p * ldb + j] : b[j * ldb + p];

        int panels = (nc + NR - 1) / NR, packedLength = panels * NR * kc;
        // Every width this machine has: the Vector256 and Vector128 row copies and the scalar path.
        foreach (LaneWidth width in WidthsOfThisMachine())
        {
            float[] packed = NaNs(packedLength + 64);
            fixed (float* pb = b) fixed (float* pp = packed)
                Packing.PackB(trans, pb, ldb, p0, kc, j0, nc, pp, width);
            CheckPackedB(packed, packedLength, panels, kc, nc, (p, j) => OpB(p0 + p, j0 + j), width);
        }
    }

    private static void CheckPackedB(float[] packed, int packedLength, int panels, int kc, int nc, Func<int, int, float> opB, LaneWidth width)
    {
        for (int panel = 0; panel < panels; panel++)
            for (int p = 0; p < kc; p++)
                for (int j = 0; j < NR; j++)
                {
                    int column = panel * NR + j;
                    float expected = column < nc ? opB(p, column) : 0f;
                    Assert.True(expected.Equals(packed[panel * NR * kc + p * NR + j]), $"{width}: panel {panel} p {p} j {j}: {packed[panel * NR * kc + p * NR + j]} vs {expected}");
                }
        Assert.All(packed[packedLength..], v => Assert.True(float.IsNaN(v), "written past the packed block"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(KC)]
    [InlineData(KC + 3)]
    public void MicroKernelsComputeTheTileOfThePackedPanels(int kc)
    {
        var random = new Random(kc);
        float[] a = GemmTests.Filled(random, kc * MR), b = GemmTests.Filled(random, kc * NR);
        var kernels = new List<(string Name, Action<IntPtr, IntPtr, IntPtr> Run)> { ("scalar", (pa, pb, pt) => MicroKernelScalar.Compute(kc, (float*)pa, (float*)pb, (float*)pt)) };
        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated) kernels.Add(("Vector128", (pa, pb, pt) => MicroKernelVector128.Compute(kc, (float*)pa, (float*)pb, (float*)pt)));
        if (MicroKernelAvx.IsSupported) kernels.Add(("AVX", (pa, pb, pt) => MicroKernelAvx.Compute<MicroKernelAvx.WithoutFma>(kc, (float*)pa, (float*)pb, (float*)pt)));
        if (MicroKernelAvx.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported) kernels.Add(("AVX+FMA", (pa, pb, pt) => MicroKernelAvx.Compute<MicroKernelAvx.WithFma>(kc, (float*)pa, (float*)pb, (float*)pt)));
        // The panels and the tile are 64-byte aligned, as in the GEMM's workspace.
        float* pa = (float*)NativeMemory.AlignedAlloc((nuint)(a.Length * sizeof(float)), 64);
        float* pb = (float*)NativeMemory.AlignedAlloc((nuint)(b.Length * sizeof(float)), 64);
        float* pt = (float*)NativeMemory.AlignedAlloc(MR * NR * sizeof(float), 64);
        try
        {
            a.CopyTo(new Span<float>(pa, a.Length));
            b.CopyTo(new Span<float>(pb, b.Length));
            foreach ((string name, Action<IntPtr, IntPtr, IntPtr> run) in kernels)
            {
                var tile = new Span<float>(pt, MR * NR);
                tile.Fill(float.NaN); // the kernel overwrites its tile; it never accumulates into it
                run((IntPtr)pa, (IntPtr)pb, (IntPtr)pt);
                for (int r = 0; r < MR; r++)
                    for (int j = 0; j < NR; j++)
                    {
                        double sum = 0, magnitude = 0;
                        for (int p = 0; p < kc; p++)
                        {
                            double term = (double)a[p * MR + r] * b[p * NR + j];
                            sum += term;
                            magnitude += Math.Abs(term);
                        }
                        double tolerance = 2.0 * (kc + 2) * Math.Pow(2, -24) * magnitude;
                        Assert.True(Math.Abs(pt[r * NR + j] - sum) <= tolerance, $"{name} kc={kc}: tile[{r},{j}] = {pt[r * NR + j]}, expected {sum} ± {tolerance}");
                    }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(pa);
            NativeMemory.AlignedFree(pb);
            NativeMemory.AlignedFree(pt);
        }
    }

    /// <summary>Sizes (m, n, k) past each block boundary, with odd remainders, and the VAE's layer shapes.</summary>
    public static TheoryData<Transpose, Transpose, int, int, int> BoundaryCases()
    {
        var data = new TheoryData<Transpose, Transpose, int, int, int>();
        (int M, int N, int K)[] shapes =
        [
            (MC + MR + 1, NR + 3, 2 * KC + 3), // m past MC with a partial tile; k over two KC blocks and a tail
            (MR + 1, NC + NR + 5, KC + 1),     // n past NC with a partial tile; k just past KC
            (128, 400, 784),                    // encoder 784 → 400 at batch 128
            (128, 784, 400),                    // decoder 400 → 784
            (128, 40, 400),                     // the latent heads 400 → 2 × 20
        ];
        foreach ((int m, int n, int k) in shapes)
            foreach (Transpose ta in new[] { Transpose.No, Transpose.Yes })
                foreach (Transpose tb in new[] { Transpose.No, Transpose.Yes })
                    data.Add(ta, tb, m, n, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(BoundaryCases))]
    public void GemmMatchesTheDoubleReferenceAcrossEveryBlockingBoundary(Transpose ta, Transpose tb, int m, int n, int k)
    {
        Assert.True(GemmTests.Check(new GemmTests.Problem(m, n, k, ta, tb, 1, 3, 2, 1.5f, 0.5f, m + n + k), portable: false, threads: 1));
        Assert.True(GemmTests.Check(new GemmTests.Problem(m, n, k, ta, tb, 0, 0, 0, 1f, 0f, m * n + k), portable: false, threads: 2));
    }

    [Theory]
    [InlineData(MC + MR + 1, NR + 3, 2 * KC + 3)]
    [InlineData(MR + 1, NC + NR + 5, KC + 1)]
    public void PortableGemmMatchesTheDoubleReferenceAcrossEveryBlockingBoundary(int m, int n, int k)
    {
        foreach (Transpose ta in new[] { Transpose.No, Transpose.Yes })
            foreach (Transpose tb in new[] { Transpose.No, Transpose.Yes })
                Assert.True(GemmTests.Check(new GemmTests.Problem(m, n, k, ta, tb, 2, 1, 0, -0.5f, 1f, m - n + k), portable: true, threads: 1));
    }
}
