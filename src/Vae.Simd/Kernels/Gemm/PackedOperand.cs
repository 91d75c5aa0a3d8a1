namespace Vae.Simd.Kernels;

/// <summary>
/// An op(B) operand of the GEMM packed once, in advance, into the micro-panel layout that
/// <see cref="Packing.PackB"/> writes for every (column block, k block) of a product — so that several products
/// against the same B (a weight matrix used by every shard of a minibatch) share one packing instead of each
/// packing it again. A product given this operand reads its panels instead of packing B, so its bits are
/// exactly those of the same product without it.
/// </summary>
/// <remarks>
/// Layout: column blocks of <see cref="GemmBlocking.NC"/> columns, each holding its k blocks of
/// <see cref="GemmBlocking.KC"/> steps in order, each of those its panels of <see cref="GemmBlocking.NR"/>
/// columns at a stride of NR × kc — the layout of the per-call packed block, so a product's column range
/// needs no block alignment. The caller keeps it current: after B changes, <see cref="Pack(ReadOnlySpan{float}, int)"/> must run
/// again before the next product that uses it (the trainer repacks its weights before every step).
/// </remarks>
internal sealed unsafe class PackedOperand
{
    private readonly float[] _panels;
    private readonly bool[] _finite;

    /// <summary>Room for op(B) of <paramref name="k"/> × <paramref name="n"/>, stored transposed or not as <paramref name="trans"/> says.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public PackedOperand(Transpose trans, int k, int n)
    {
        if (k <= 0 || n <= 0) throw new ArgumentException($"PackedOperand: op(B) must have positive sizes; got {k}x{n}.");
        Trans = trans;
        K = k;
        N = n;
        Panels = (n + GemmBlocking.NR - 1) / GemmBlocking.NR;
        _panels = GC.AllocateUninitializedArray<float>(checked(Panels * GemmBlocking.NR * k + 16), pinned: true);
        _finite = new bool[Panels * KBlocks];
    }

    /// <summary>Whether B is stored transposed (op(B) = Bᵀ).</summary>
    public Transpose Trans { get; }

    /// <summary>Rows of op(B): the products' depth.</summary>
    public int K { get; }

    /// <summary>Columns of op(B).</summary>
    public int N { get; }

    /// <summary>Panels of <see cref="GemmBlocking.NR"/> columns (the last one zero-filled past <see cref="N"/>).</summary>
    public int Panels { get; }

    private int KBlocks => (K + GemmBlocking.KC - 1) / GemmBlocking.KC;

    /// <summary>
    /// Packs panels [<paramref name="firstPanel"/>, <paramref name="endPanel"/>) of op(B), every k block, from B at
    /// <paramref name="b"/> with row stride <paramref name="ldb"/>. Disjoint panel ranges may be packed by different threads.
    /// </summary>
    public void Pack(ReadOnlySpan<float> b, int ldb, int firstPanel, int endPanel)
    {
        const int NR = GemmBlocking.NR, NC = GemmBlocking.NC;
        if ((uint)firstPanel > (uint)Panels || endPanel < firstPanel || endPanel > Panels)
            throw new ArgumentOutOfRangeException(nameof(endPanel), $"PackedOperand: panels [{firstPanel}, {endPanel}) are not within the {Panels} panels.");
        int rows = Trans == Transpose.No ? K : N, columns = Trans == Transpose.No ? N : K;
        long needed = (long)(rows - 1) * ldb + columns;
        if (ldb < columns || b.Length < needed)
            throw new ArgumentException($"PackedOperand: B is {rows}x{columns} with row stride {ldb}, which needs {needed} elements; the span has {b.Length}.");
        LaneWidth width = KernelPath.Width;
        fixed (float* pb = b)
        {
            for (int panel = firstPanel; panel < endPanel;)
            {
                // Runs of panels within one column block are contiguous in the layout: one PackB call each.
                int column = panel * NR;
                int blockEnd = Math.Min(endPanel, (column / NC + 1) * NC / NR);
                int nc = Math.Min(N, blockEnd * NR) - column;
                for (int pc = 0, block = 0; pc < K; pc += GemmBlocking.KC, block++)
                {
                    int kc = Math.Min(GemmBlocking.KC, K - pc);
                    float* destination = Panel(column, pc, kc);
                    Packing.PackB(Trans, pb, ldb, pc, kc, column, nc, destination, width);
                    for (int p = panel; p < blockEnd; p++)
                        _finite[block * Panels + p] = ZeroSteps.AllFinite(destination + (long)(p - panel) * NR * kc, NR * kc);
                }
                panel = blockEnd;
            }
        }
    }

    /// <summary>Packs all of op(B).</summary>
    public void Pack(ReadOnlySpan<float> b, int ldb) => Pack(b, ldb, 0, Panels);

    /// <summary>The packed panel of columns [<paramref name="column"/>, +NR) for the k block starting at <paramref name="pc"/> (<paramref name="kc"/> steps).</summary>
    public float* Panel(int column, int pc, int kc)
    {
        const int NC = GemmBlocking.NC, NR = GemmBlocking.NR;
        int blockStart = column - column % NC;
        int blockPanels = (Math.Min(N, blockStart + NC) - blockStart + NR - 1) / NR;
        long offset = (long)blockStart * K + (long)blockPanels * NR * pc + (long)(column - blockStart) / NR * NR * kc;
        fixed (float* p = _panels)
            return (float*)(((nint)p + 63) & ~(nint)63) + offset; // pinned: the address stays valid
    }

    /// <summary>Whether the panels covering columns [<paramref name="column"/>, +<paramref name="columns"/>) of the k block at <paramref name="pc"/> hold only finite values.</summary>
    public bool AllFinite(int column, int columns, int pc)
    {
        int block = pc / GemmBlocking.KC;
        for (int p = column / GemmBlocking.NR, end = (column + columns + GemmBlocking.NR - 1) / GemmBlocking.NR; p < end; p++)
            if (!_finite[block * Panels + p]) return false;
        return true;
    }

    /// <summary>Whether this operand is op(B) of a product with these settings.</summary>
    public bool Fits(Transpose trans, int k, int n) => trans == Trans && k == K && n == N;
}
