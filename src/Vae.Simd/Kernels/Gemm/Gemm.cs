using Vae.Simd.Tensors;

namespace Vae.Simd.Kernels;

/// <summary>
/// Single-precision general matrix multiply, C = α·op(A)·op(B) + β·C, row-major.
/// op(A) is m×k and op(B) is k×n. A is stored m×k (row stride lda ≥ k) when not transposed and k×m
/// (lda ≥ m) when transposed; likewise B. C is m×n with row stride ldc ≥ n.
/// </summary>
/// <remarks>
/// The BLIS decomposition: <see cref="GemmBlocking"/> (block sizes), <see cref="Packing"/> (copies
/// blocks into micro-panels) and a micro-kernel (<see cref="MicroKernelAvx"/> on x64 with AVX, fused with FMA;
/// <see cref="MicroKernelVector128"/> on ARM64 and x64 without AVX; <see cref="MicroKernelScalar"/> without
/// SIMD), chosen once per call. Results do not depend on the thread count:
/// every element of C is computed by one thread with the same blocking along k. Products of one or two
/// rows with B transposed (single-image inference) take <see cref="SmallRows"/>: dot products, no packing.
/// Products with few columns (the latent heads' 128 × 40) are computed as Cᵀ = op(B)ᵀ·op(A)ᵀ, with the
/// same bits (<see cref="TransposedProduct"/>).
/// </remarks>
public static unsafe class Gemm
{
    /// <summary>C = α·op(A)·op(B) + β·C on the calling thread. When β is 0, C is not read (NaN in C does not propagate).</summary>
    /// <exception cref="ArgumentException">A size is negative, a stride is too small, or a span is too short.</exception>
    public static void Multiply(
        Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
        => Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, maxThreads: 1);

    /// <summary>
    /// C = α·op(A)·op(B) + β·C using up to <paramref name="maxThreads"/> threads (column or row slabs of C
    /// processed with <see cref="Parallel.For(int, int, Action{int})"/>); small products stay on one thread.
    /// The result is bitwise the same for any thread count.
    /// </summary>
    /// <exception cref="ArgumentException">A size is negative, a stride is too small, or a span is too short.</exception>
    public static void Multiply(
        Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, int maxThreads)
        => Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, maxThreads, SparseOperand.None);

    /// <summary>
    /// As <see cref="Multiply(Transpose, Transpose, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int, int)"/>,
    /// skipping the k-steps at which the <paramref name="sparse"/> operand's packed panel is all zero. The
    /// result has the dense product's bits except that a −0 can stay where the dense sum gives +0 (see
    /// <see cref="SparseOperand"/>); NaN and infinity propagate as in the dense product.
    /// </summary>
    /// <exception cref="ArgumentException">A size is negative, a stride is too small, or a span is too short.</exception>
    public static void Multiply(
        Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, int maxThreads, SparseOperand sparse)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc, maxThreads);
        if (m == 0 || n == 0) return;
        if (m <= SmallRows.MaxRows && transA == Transpose.No && transB == Transpose.Yes && k > 0 && alpha != 0f)
        {
            SmallRows.MultiplyTransposedB(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            if (k == 0 || alpha == 0f)
            {
                ScaleC(pc, ldc, m, n, beta);
                return;
            }
            int threads = ChooseThreads(m, n, k, maxThreads);
            if (TransposedProduct.Pays(m, n, sparse))
                // Cᵀ = op(B)ᵀ·op(A)ᵀ: the same products in the same k order, with the short side of C as rows.
                Run(TransposedProduct.Flip(transB), TransposedProduct.Flip(transA), n, m, k, alpha, pb, ldb, pa, lda, beta, pc, ldc, threads, sparse, transposedC: true);
            else
                Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, threads, sparse, transposedC: false);
        }
    }

    /// <summary>The blocked product on one thread or in slabs; with <paramref name="transposedC"/>, m×n is the shape of Cᵀ.</summary>
    private static void Run(
        Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int threads, SparseOperand sparse, bool transposedC)
    {
        if (threads == 1)
        {
            Compute(transA, transB, 0, m, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc, sparse: sparse, transposedC: transposedC);
            return;
        }
        var job = new SlabJob(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, sparse, transposedC);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, job.Run);
    }

    /// <summary>
    /// Runs the blocked algorithm for rows [i0, i1) and columns [j0, j1) of C, or, with <paramref name="transposedC"/>,
    /// of Cᵀ (op(A) is then the caller's op(B)ᵀ, op(B) its op(A)ᵀ, and element (i, j) is written to c[j·ldc + i]).
    /// </summary>
    /// <remarks>
    /// Compiled fully optimised from the first call: one call of a large product runs for milliseconds,
    /// long enough that the JIT would otherwise replace it on the stack with less optimised code.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void Compute(
        Transpose transA, Transpose transB, int i0, int i1, int j0, int j1, int k,
        float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, bool portable = false, SparseOperand sparse = SparseOperand.None,
        bool transposedC = false)
    {
        const int MR = GemmBlocking.MR, NR = GemmBlocking.NR;
        GemmWorkspace workspace = GemmWorkspace.Current;
        float* packedA = workspace.PackedA;
        float* packedB = workspace.PackedB;
        float* tile = workspace.Tile;
        int* stepsA = workspace.StepsA, countsA = stepsA + GemmBlocking.MC / MR * GemmBlocking.KC;
        int* stepsB = workspace.StepsB, countsB = stepsB + GemmBlocking.NC / NR * GemmBlocking.KC;
        // The micro-kernel is chosen once per call; all three give the same bits on a machine (see KernelPath.HasFma).
        LaneWidth width = KernelPath.Width;
        MicroKernel kernel = KernelPath.GemmKernel;
        // Element (i, j) of the product is at c[i·ldc + j], or at c[j·ldc + i] when it is Cᵀ's (TransposedProduct).
        long rowStride = transposedC ? 1 : ldc, columnStride = transposedC ? ldc : 1;
        if (portable && kernel is MicroKernel.Avx or MicroKernel.AvxFma) kernel = width >= LaneWidth.Vector128 ? MicroKernel.Vector128 : MicroKernel.Scalar;

        for (int jc = j0; jc < j1; jc += GemmBlocking.NC)
        {
            int nc = Math.Min(GemmBlocking.NC, j1 - jc);
            for (int pc = 0; pc < k; pc += GemmBlocking.KC)
            {
                int kc = Math.Min(GemmBlocking.KC, k - pc);
                float blockBeta = pc == 0 ? beta : 1f;
                Packing.PackB(transB, b, ldb, pc, kc, jc, nc, packedB, width);
                int panelsB = (nc + NR - 1) / NR;
                // Zero steps of A are skipped only against a finite B block (and vice versa): 0·∞ must stay NaN.
                bool skipA = sparse == SparseOperand.A && ZeroSteps.AllFinite(packedB, panelsB * NR * kc);
                if (sparse == SparseOperand.B) ZeroSteps.List(packedB, panelsB, kc, NR, stepsB, countsB);
                for (int ic = i0; ic < i1; ic += GemmBlocking.MC)
                {
                    int mc = Math.Min(GemmBlocking.MC, i1 - ic);
                    Packing.PackA(transA, a, lda, ic, mc, pc, kc, packedA, width);
                    int panelsA = (mc + MR - 1) / MR;
                    if (skipA) ZeroSteps.List(packedA, panelsA, kc, MR, stepsA, countsA);
                    bool skipB = sparse == SparseOperand.B && ZeroSteps.AllFinite(packedA, panelsA * MR * kc);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int columns = Math.Min(NR, nc - jr);
                        float* panelB = packedB + jr * kc;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int rows = Math.Min(MR, mc - ir);
                            float* tileC = c + (ic + ir) * rowStride + (jc + jr) * columnStride;
                            int* steps = skipA ? stepsA + ir / MR * kc : skipB ? stepsB + jr / NR * kc : null;
                            int count = skipA ? countsA[ir / MR] : skipB ? countsB[jr / NR] : kc;
                            if (steps != null && !ZeroSteps.WorthSkipping(count, kc)) steps = null;
                            if (kernel is MicroKernel.AvxFma or MicroKernel.Avx)
                            {
                                // Tiles with all 16 columns, α = 1 and β ∈ {0, 1} (every product of the trainer) may skip the workspace tile.
                                bool direct = columns == NR && !transposedC && alpha == 1f && (blockBeta == 0f || blockBeta == 1f);
                                if (kernel == MicroKernel.AvxFma) direct = MicroKernelAvx.Tile<MicroKernelAvx.WithFma>(steps, count, kc, packedA + ir * kc, panelB, tile, tileC, ldc, rows, blockBeta, direct);
                                else direct = MicroKernelAvx.Tile<MicroKernelAvx.WithoutFma>(steps, count, kc, packedA + ir * kc, panelB, tile, tileC, ldc, rows, blockBeta, direct);
                                if (direct) continue;
                            }
                            else if (steps != null)
                            {
                                if (kernel == MicroKernel.Vector128) MicroKernelVector128.ComputeSteps(count, steps, packedA + ir * kc, panelB, tile);
                                else MicroKernelScalar.ComputeSteps(count, steps, packedA + ir * kc, panelB, tile);
                            }
                            else if (kernel == MicroKernel.Vector128) MicroKernelVector128.Compute(kc, packedA + ir * kc, panelB, tile);
                            else MicroKernelScalar.Compute(kc, packedA + ir * kc, panelB, tile);
                            TileWriter.Write(tile, tileC, ldc, rows, columns, alpha, blockBeta, width, transposedC);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Threads worth using: one per <see cref="FlopsPerThread"/> of work at most, and never more slabs than
    /// there are micro-tiles to share.
    /// </summary>
    private static int ChooseThreads(int m, int n, int k, int maxThreads)
    {
        if (maxThreads <= 1) return 1;
        double flops = 2.0 * m * n * k;
        int byWork = (int)Math.Max(1, flops / FlopsPerThread);
        int bySlabs = Math.Max(n / (2 * GemmBlocking.NR), m / (2 * GemmBlocking.MR));
        return Math.Max(1, Math.Min(maxThreads, Math.Min(byWork, Math.Max(1, bySlabs))));
    }

    /// <summary>
    /// Work each thread must get (two threads from 64 MFLOP): below that, a second thread does not pay. Measured with <c>vae bench gemm --threads 1|2</c> on 2 vCPU
    /// AMD EPYC shared with other jobs (bench/RESULTS.md, "Small GEMM shapes"): two threads were slower than one
    /// at every product up to 52 MFLOP in every run (0.56× at 128x400x40, 0.57–0.88× at 13–52 MFLOP); at
    /// 80 MFLOP (128x784x400) 1.6× in one run and 0.87–0.97× in others, as the host's load allowed; at
    /// 1024³ 1.9×. Waking a pool thread and packing A twice costs more than half of a small product.
    /// </summary>
    internal const double FlopsPerThread = 32e6;

    private static void ScaleC(float* c, int ldc, int m, int n, float beta)
    {
        for (int i = 0; i < m; i++)
        {
            Span<float> row = new(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) ElementWise.Scale(beta, row, row);
        }
    }

    private static void Validate(Transpose transA, Transpose transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc, int maxThreads)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"Gemm: sizes must be non-negative; got m={m}, n={n}, k={k}.");
        if (maxThreads < 1)
            throw new ArgumentException($"Gemm: maxThreads must be at least 1; got {maxThreads}.", nameof(maxThreads));
        CheckOperand("A", transA == Transpose.No ? m : k, transA == Transpose.No ? k : m, aLength, lda);
        CheckOperand("B", transB == Transpose.No ? k : n, transB == Transpose.No ? n : k, bLength, ldb);
        CheckOperand("C", m, n, cLength, ldc);
    }

    private static void CheckOperand(string name, int rows, int columns, int length, int stride)
    {
        if (stride < Math.Max(1, columns))
            throw new ArgumentException($"Gemm: {name} is stored as {rows}x{columns} but its row stride is {stride} (must be at least {Math.Max(1, columns)}).");
        long needed = rows == 0 || columns == 0 ? 0 : (long)(rows - 1) * stride + columns;
        if (length < needed)
            throw new ArgumentException($"Gemm: {name} is stored as {rows}x{columns} with row stride {stride}, which needs {needed} elements, but its span has {length}.");
    }

    /// <summary>One slab of C per task; slabs are whole micro-tiles so no two tasks write the same cache line of a tile.</summary>
    private sealed class SlabJob(
        Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int slabs, SparseOperand sparse, bool transposedC)
    {
        private readonly bool _byColumns = n / GemmBlocking.NR >= slabs * 2 || n >= m;

        public void Run(int slab)
        {
            if (_byColumns)
            {
                (int start, int end) = Range(n, GemmBlocking.NR, slab);
                if (start < end) Compute(transA, transB, 0, m, start, end, k, alpha, a, lda, b, ldb, beta, c, ldc, sparse: sparse, transposedC: transposedC);
            }
            else
            {
                (int start, int end) = Range(m, GemmBlocking.MR, slab);
                if (start < end) Compute(transA, transB, start, end, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc, sparse: sparse, transposedC: transposedC);
            }
        }

        private (int Start, int End) Range(int size, int granule, int slab)
        {
            int granules = (size + granule - 1) / granule;
            int start = (int)((long)granules * slab / slabs) * granule;
            int end = (int)((long)granules * (slab + 1) / slabs) * granule;
            return (Math.Min(start, size), Math.Min(end, size));
        }
    }
}
