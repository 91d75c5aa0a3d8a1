using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Vae.Simd.Kernels;

/// <summary>
/// Y = X·W for rows of X with many exact zeros (MNIST images: 81 % background; ReLU outputs: about half)
/// and W held TRANSPOSED to the layer's PyTorch layout, Wᵀ [k × n]: row i of Wᵀ is every weight leaving
/// input i. Each output row is the sum, over the non-zero inputs i of its row of X only, of x_i·Wᵀ[i, :],
/// so a single MNIST image reads ~150 rows of the first layer's Wᵀ (240 KB) instead of all 784 (1.25 MB).
/// </summary>
/// <remarks>
/// <para>
/// Bits: every output is the GEMM's. <see cref="Gemm.Multiply(Transpose, Transpose, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
/// computes C[r, j] (β = 0, α = 1) in k-blocks of <see cref="GemmBlocking.KC"/>: within a block one chain
/// c = x_p·w_pj + c over the steps in increasing order from c = 0, fused exactly where the micro-kernels
/// fuse (<see cref="FmaIntrinsics.MultiplyAdd(float, float, float)"/>), then each later block's chain is
/// added to C with one rounding (<see cref="TileWriter"/>: tile + C). This kernel runs the same chains in
/// the same order over the same blocks; lanes only ever hold different columns j, never parts of one sum,
/// so the Vector256, Vector128 and scalar loops give the same bits. Skipping a zero input is exact as in
/// <see cref="ZeroSteps"/> (finite weights; a sum that is exactly zero may keep −0 where the dense one has
/// +0) — so callers list zero inputs as steps when a weight is not finite (<see cref="ListSteps"/>).
/// </para>
/// <para>
/// Speed: the chain of one column is a dependency chain (an FMA's latency a step), so a call runs eight
/// vectors of columns at once (sixty-four on AVX2), and, over many rows, each block of columns for all the
/// rows before the next, meant to keep that block of Wᵀ (k × 64 floats, 200 KB for k = 784) in L2 (no gain was
/// measurable for MNIST-like rows: their time is in fetching the weight rows, bench/RESULTS.md).
/// </para>
/// </remarks>
internal static unsafe class SparseRows
{
    /// <summary>
    /// Writes to <paramref name="steps"/> the indices of <paramref name="x"/>'s non-zero entries in
    /// increasing order (all indices when <paramref name="skipZeros"/> is false) and returns their number.
    /// </summary>
    public static int ListSteps(ReadOnlySpan<float> x, Span<int> steps, bool skipZeros)
    {
        if (steps.Length < x.Length) throw new ArgumentException($"SparseRows: {steps.Length} step slots for {x.Length} inputs.", nameof(steps));
        int count = 0, i = 0;
        if (!skipZeros)
        {
            for (; i < x.Length; i++) steps[i] = i;
            return x.Length;
        }
        if (Avx2.IsSupported && x.Length >= 8)
        {
            // Eight inputs at a time: the non-zero ones' indices packed to the front by a permutation picked by
            // their bit mask (a 256-entry table), stored as eight, kept as many as there were non-zeros.
            fixed (float* px = x)
            fixed (int* ps = steps, table = s_leftPack)
            {
                Vector256<uint> magnitude = Vector256.Create(0x7FFF_FFFFu);
                Vector256<int> index = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), eight = Vector256.Create(8);
                for (; i + 8 <= x.Length; i += 8, index += eight)
                {
                    Vector256<uint> bits = Avx.LoadVector256(px + i).AsUInt32() & magnitude;
                    uint mask = ~Vector256.Equals(bits, Vector256<uint>.Zero).ExtractMostSignificantBits() & 0xFFu;
                    Vector256<int> packed = Avx2.PermuteVar8x32(index, Avx.LoadVector256(table + mask * 8));
                    Avx.Store(ps + count, packed); // count ≤ i, so the eight slots lie inside steps
                    count += BitOperations.PopCount(mask);
                }
            }
        }
        for (; i < x.Length; i++)
        {
            steps[count] = i;
            // ±0 has no bits other than the sign; branch-free, as the zero pattern of an image is irregular.
            count += (BitConverter.SingleToUInt32Bits(x[i]) & 0x7FFF_FFFFu) != 0 ? 1 : 0;
        }
        return count;
    }

    /// <summary>For each 8-bit mask, the positions of its set bits in increasing order, then zeros: a left-pack permutation.</summary>
    private static readonly int[] s_leftPack = BuildLeftPack();

    private static int[] BuildLeftPack()
    {
        int[] table = new int[256 * 8];
        for (int mask = 0; mask < 256; mask++)
        {
            int n = 0;
            for (int bit = 0; bit < 8; bit++)
                if ((mask & (1 << bit)) != 0) table[mask * 8 + n++] = bit;
        }
        return table;
    }

    /// <summary>
    /// Y [m × n] = X·W, where row r of X [m × k] is given only by its listed steps: its step list is
    /// steps[r·k …] with counts[r] entries (from <see cref="ListSteps"/>), <paramref name="transposedWeight"/>
    /// is Wᵀ [k × n] with row stride <paramref name="ldw"/> ≥ n. Y is overwritten.
    /// </summary>
    /// <remarks>
    /// Give Wᵀ rows that start on 64-byte lines (a 64-byte aligned start and <paramref name="ldw"/> a multiple
    /// of 16): a vector load then never straddles two lines. Measured on the first layer of 784-400-20 for one
    /// image: 3.35 µs aligned, 4.1 µs with rows 16 bytes off.
    /// </remarks>
    public static void Multiply(int m, int k, int n, ReadOnlySpan<float> x, ReadOnlySpan<int> steps, ReadOnlySpan<int> counts,
        ReadOnlySpan<float> transposedWeight, int ldw, Span<float> y)
    {
        if (m < 0 || k < 1 || n < 1 || ldw < n || x.Length < (long)m * k || steps.Length < (long)m * k || counts.Length < m
            || transposedWeight.Length < (long)(k - 1) * ldw + n || y.Length < (long)m * n)
            throw new ArgumentException($"SparseRows: buffers do not fit {m} rows x {k} inputs x {n} outputs.");
        LaneWidth width = KernelPath.Width;
        fixed (float* px = x, pw = transposedWeight, py = y)
        fixed (int* ps = steps, pc = counts)
        {
            for (int pc0 = 0; pc0 < k; pc0 += GemmBlocking.KC)
            {
                var block = new Block(px, ps, pc, pw, py, m, k, n, ldw, pc0, Math.Min(k, pc0 + GemmBlocking.KC));
                int j = 0;
                if (width == LaneWidth.Vector256) j = Columns<Lanes8>(in block, j);
                if (width >= LaneWidth.Vector128) j = Columns<Lanes4>(in block, j);
                Columns<Lanes1>(in block, j);
            }
        }
    }

    /// <summary>One k-block of a call: inputs [Start, End) of every row.</summary>
    private readonly struct Block(float* x, int* steps, int* counts, float* w, float* y, int m, int k, int n, int ldw, int start, int end)
    {
        public readonly float* X = x, W = w, Y = y;
        public readonly int* Steps = steps, Counts = counts;
        public readonly int M = m, K = k, N = n, Ldw = ldw, Start = start, End = end;

        /// <summary>Row r's steps inside this block (the list is sorted: two binary searches).</summary>
        public int Range(int r, out int* steps)
        {
            int* list = Steps + (long)r * K;
            int count = Counts[r];
            int first = Start == 0 ? 0 : LowerBound(list, count, Start);
            int last = End >= K ? count : LowerBound(list, count, End);
            steps = list + first;
            return last - first;
        }

        /// <summary>The first position in the sorted list whose step is ≥ <paramref name="step"/>.</summary>
        private static int LowerBound(int* list, int count, int step)
        {
            int low = 0, high = count;
            while (low < high)
            {
                int middle = (low + high) >>> 1;
                if (list[middle] < step) low = middle + 1; else high = middle;
            }
            return low;
        }
    }

    private static int Columns<TV>(in Block b, int j) where TV : struct, ILanes<TV>
    {
        int w = TV.Count;
        for (; j + 8 * w <= b.N; j += 8 * w)
            for (int r = 0; r < b.M; r++) Vectors<TV, Count8>(in b, r, j);
        // The rest in ONE pass, so that no column waits alone through a latency-bound chain.
        int vectors = (b.N - j) / w;
        for (int r = 0; r < b.M && vectors > 0; r++)
        {
            switch (vectors)
            {
                case 1: Vectors<TV, Count1>(in b, r, j); break;
                case 2: Vectors<TV, Count2>(in b, r, j); break;
                case 3: Vectors<TV, Count3>(in b, r, j); break;
                case 4: Vectors<TV, Count4>(in b, r, j); break;
                case 5: Vectors<TV, Count5>(in b, r, j); break;
                case 6: Vectors<TV, Count6>(in b, r, j); break;
                default: Vectors<TV, Count7>(in b, r, j); break;
            }
        }
        return j + vectors * w;
    }

    /// <summary>c + a·b rounded as the GEMM's micro-kernels round it: once where the hardware fuses, else twice.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV MultiplyAdd<TV>(TV a, TV b, TV c) where TV : struct, ILanes<TV> =>
        FmaIntrinsics.IsSupported ? TV.MultiplyAdd(a, b, c) : a * b + c;

    /// <summary>Y[r, j …] = the chain's value in the first block; chain + Y[r, j …] in later ones (TileWriter's tile + C).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TV>(in Block b, float* y, TV value) where TV : struct, ILanes<TV>
    {
        if (b.Start > 0) value += TV.Load(ref *y, 0);
        TV.Store(value, ref *y, 0);
    }

    /// <summary>
    /// Columns j … j + TN.Count·TV.Count of row r: TN.Count accumulators side by side. TN.Count is a constant
    /// of each specialisation, so the unused accumulators and their lines compile away.
    /// </summary>
    private static void Vectors<TV, TN>(in Block b, int r, int j) where TV : struct, ILanes<TV> where TN : struct, IConstant
    {
        nuint w = (nuint)TV.Count;
        int count = b.Range(r, out int* steps);
        float* x = b.X + (long)r * b.K, wj = b.W + j;
        long stride = b.Ldw;
        TV c0 = TV.Create(0f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int t = 0; t < count; t++)
        {
            int i = steps[t];
            TV xi = TV.Create(x[i]);
            ref float row = ref *(wj + i * stride);
            c0 = MultiplyAdd(xi, TV.Load(ref row, 0), c0);
            if (TN.Value > 1) c1 = MultiplyAdd(xi, TV.Load(ref row, w), c1);
            if (TN.Value > 2) c2 = MultiplyAdd(xi, TV.Load(ref row, 2 * w), c2);
            if (TN.Value > 3) c3 = MultiplyAdd(xi, TV.Load(ref row, 3 * w), c3);
            if (TN.Value > 4) c4 = MultiplyAdd(xi, TV.Load(ref row, 4 * w), c4);
            if (TN.Value > 5) c5 = MultiplyAdd(xi, TV.Load(ref row, 5 * w), c5);
            if (TN.Value > 6) c6 = MultiplyAdd(xi, TV.Load(ref row, 6 * w), c6);
            if (TN.Value > 7) c7 = MultiplyAdd(xi, TV.Load(ref row, 7 * w), c7);
        }
        float* y = b.Y + (long)r * b.N + j;
        int s = TV.Count;
        Finish(in b, y, c0);
        if (TN.Value > 1) Finish(in b, y + s, c1);
        if (TN.Value > 2) Finish(in b, y + 2 * s, c2);
        if (TN.Value > 3) Finish(in b, y + 3 * s, c3);
        if (TN.Value > 4) Finish(in b, y + 4 * s, c4);
        if (TN.Value > 5) Finish(in b, y + 5 * s, c5);
        if (TN.Value > 6) Finish(in b, y + 6 * s, c6);
        if (TN.Value > 7) Finish(in b, y + 7 * s, c7);
    }

    /// <summary>A number known to the JIT per specialisation: how many vectors <see cref="Vectors{TV, TN}"/> runs side by side.</summary>
    private interface IConstant { static abstract int Value { get; } }
    private struct Count1 : IConstant { public static int Value => 1; }
    private struct Count2 : IConstant { public static int Value => 2; }
    private struct Count3 : IConstant { public static int Value => 3; }
    private struct Count4 : IConstant { public static int Value => 4; }
    private struct Count5 : IConstant { public static int Value => 5; }
    private struct Count6 : IConstant { public static int Value => 6; }
    private struct Count7 : IConstant { public static int Value => 7; }
    private struct Count8 : IConstant { public static int Value => 8; }
}
