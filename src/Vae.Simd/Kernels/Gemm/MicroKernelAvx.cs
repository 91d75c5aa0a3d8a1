using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Vae.Simd.Kernels;

/// <summary>
/// The x64 AVX micro-kernel: a 6 × 16 tile of C from a packed 6-row panel of A and a packed 16-column
/// panel of B. Twelve ymm accumulators, two B vectors and one broadcast of A use 15 of the 16 ymm
/// registers, so the inner loop runs from registers and the L1-resident panels only. With FMA (every
/// AVX2 CPU) each step is one fused multiply-add (<see cref="WithFma"/>); on AVX CPUs without it (Sandy
/// and Ivy Bridge, or .NET with <c>DOTNET_EnableAVX2=0</c>) a multiply then an add (<see cref="WithoutFma"/>),
/// the same rounding as the Vector128 and scalar kernels there, so all give the same bits on a machine.
/// </summary>
internal static unsafe class MicroKernelAvx
{
    public static bool IsSupported => Avx.IsSupported;

    /// <summary>
    /// tile[0..6, 0..16] = A·B over a packed 6 × 16 tile (tile row stride 16, 32-byte aligned). The loop
    /// ends in exactly twelve stores: with one use of each accumulator after it, the register allocator
    /// keeps all twelve in registers (a write-back with several paths made NativeAOT spill and reload
    /// them on every iteration).
    /// </summary>
    public static void Compute<TMultiplyAdd>(int kc, float* a, float* b, float* tile) where TMultiplyAdd : IMultiplyAdd
        => Compute<TMultiplyAdd, Overwrite>(kc, a, b, tile, GemmBlocking.NR);

    /// <summary>
    /// The tile A·B written by <typeparamref name="TWrite"/> to the 6 × 16 block at <paramref name="c"/> (row stride
    /// <paramref name="ldc"/>): the workspace tile, or C itself (<see cref="Tile{TMultiplyAdd}"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Compute<TMultiplyAdd, TWrite>(int kc, float* a, float* b, float* c, nint ldc) where TMultiplyAdd : IMultiplyAdd where TWrite : ITileWrite
    {
        Vector256<float> c00 = Vector256<float>.Zero, c01 = Vector256<float>.Zero;
        Vector256<float> c10 = Vector256<float>.Zero, c11 = Vector256<float>.Zero;
        Vector256<float> c20 = Vector256<float>.Zero, c21 = Vector256<float>.Zero;
        Vector256<float> c30 = Vector256<float>.Zero, c31 = Vector256<float>.Zero;
        Vector256<float> c40 = Vector256<float>.Zero, c41 = Vector256<float>.Zero;
        Vector256<float> c50 = Vector256<float>.Zero, c51 = Vector256<float>.Zero;

        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Avx.LoadAlignedVector256(b);
            Vector256<float> b1 = Avx.LoadAlignedVector256(b + 8);
            Vector256<float> av = Avx.BroadcastScalarToVector256(a);
            c00 = TMultiplyAdd.Invoke(av, b0, c00); c01 = TMultiplyAdd.Invoke(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(a + 1);
            c10 = TMultiplyAdd.Invoke(av, b0, c10); c11 = TMultiplyAdd.Invoke(av, b1, c11);
            av = Avx.BroadcastScalarToVector256(a + 2);
            c20 = TMultiplyAdd.Invoke(av, b0, c20); c21 = TMultiplyAdd.Invoke(av, b1, c21);
            av = Avx.BroadcastScalarToVector256(a + 3);
            c30 = TMultiplyAdd.Invoke(av, b0, c30); c31 = TMultiplyAdd.Invoke(av, b1, c31);
            av = Avx.BroadcastScalarToVector256(a + 4);
            c40 = TMultiplyAdd.Invoke(av, b0, c40); c41 = TMultiplyAdd.Invoke(av, b1, c41);
            av = Avx.BroadcastScalarToVector256(a + 5);
            c50 = TMultiplyAdd.Invoke(av, b0, c50); c51 = TMultiplyAdd.Invoke(av, b1, c51);
            a += GemmBlocking.MR;
            b += GemmBlocking.NR;
        }

        TWrite.Write(c, c00); TWrite.Write(c + 8, c01); c += ldc;
        TWrite.Write(c, c10); TWrite.Write(c + 8, c11); c += ldc;
        TWrite.Write(c, c20); TWrite.Write(c + 8, c21); c += ldc;
        TWrite.Write(c, c30); TWrite.Write(c + 8, c31); c += ldc;
        TWrite.Write(c, c40); TWrite.Write(c + 8, c41); c += ldc;
        TWrite.Write(c, c50); TWrite.Write(c + 8, c51);
    }

    /// <summary>
    /// <see cref="Compute{TMultiplyAdd}"/> over the k-steps listed in <paramref name="steps"/> only (increasing;
    /// the others are zero in one operand, see <see cref="ZeroSteps"/>). A loop of its own rather than an index in
    /// the dense loop: the dense loop's register allocation was measured and is kept as it is.
    /// </summary>
    public static void ComputeSteps<TMultiplyAdd>(int count, int* steps, float* a, float* b, float* tile) where TMultiplyAdd : IMultiplyAdd
        => ComputeSteps<TMultiplyAdd, Overwrite>(count, steps, a, b, tile, GemmBlocking.NR);

    /// <summary><see cref="ComputeSteps{TMultiplyAdd}"/> written by <typeparamref name="TWrite"/> (see <see cref="Compute{TMultiplyAdd, TWrite}"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void ComputeSteps<TMultiplyAdd, TWrite>(int count, int* steps, float* a, float* b, float* c, nint ldc) where TMultiplyAdd : IMultiplyAdd where TWrite : ITileWrite
    {
        Vector256<float> c00 = Vector256<float>.Zero, c01 = Vector256<float>.Zero;
        Vector256<float> c10 = Vector256<float>.Zero, c11 = Vector256<float>.Zero;
        Vector256<float> c20 = Vector256<float>.Zero, c21 = Vector256<float>.Zero;
        Vector256<float> c30 = Vector256<float>.Zero, c31 = Vector256<float>.Zero;
        Vector256<float> c40 = Vector256<float>.Zero, c41 = Vector256<float>.Zero;
        Vector256<float> c50 = Vector256<float>.Zero, c51 = Vector256<float>.Zero;

        for (int t = 0; t < count; t++)
        {
            int p = steps[t];
            float* ap = a + p * GemmBlocking.MR;
            float* bp = b + p * GemmBlocking.NR;
            Vector256<float> b0 = Avx.LoadAlignedVector256(bp);
            Vector256<float> b1 = Avx.LoadAlignedVector256(bp + 8);
            Vector256<float> av = Avx.BroadcastScalarToVector256(ap);
            c00 = TMultiplyAdd.Invoke(av, b0, c00); c01 = TMultiplyAdd.Invoke(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(ap + 1);
            c10 = TMultiplyAdd.Invoke(av, b0, c10); c11 = TMultiplyAdd.Invoke(av, b1, c11);
            av = Avx.BroadcastScalarToVector256(ap + 2);
            c20 = TMultiplyAdd.Invoke(av, b0, c20); c21 = TMultiplyAdd.Invoke(av, b1, c21);
            av = Avx.BroadcastScalarToVector256(ap + 3);
            c30 = TMultiplyAdd.Invoke(av, b0, c30); c31 = TMultiplyAdd.Invoke(av, b1, c31);
            av = Avx.BroadcastScalarToVector256(ap + 4);
            c40 = TMultiplyAdd.Invoke(av, b0, c40); c41 = TMultiplyAdd.Invoke(av, b1, c41);
            av = Avx.BroadcastScalarToVector256(ap + 5);
            c50 = TMultiplyAdd.Invoke(av, b0, c50); c51 = TMultiplyAdd.Invoke(av, b1, c51);
        }

        TWrite.Write(c, c00); TWrite.Write(c + 8, c01); c += ldc;
        TWrite.Write(c, c10); TWrite.Write(c + 8, c11); c += ldc;
        TWrite.Write(c, c20); TWrite.Write(c + 8, c21); c += ldc;
        TWrite.Write(c, c30); TWrite.Write(c + 8, c31); c += ldc;
        TWrite.Write(c, c40); TWrite.Write(c + 8, c41); c += ldc;
        TWrite.Write(c, c50); TWrite.Write(c + 8, c51);
    }

    /// <summary>
    /// The first <typeparamref name="TRows"/>.Count rows (4 or 2) of a 6 × 16 tile, over all <paramref name="count"/>
    /// k-steps (<paramref name="steps"/> null) or the listed ones, for the last panel of A when its rows are not a
    /// multiple of six (64 = 10·6 + 4, 128 = 21·6 + 2). Four rows do two thirds of a whole tile's multiply-adds; two
    /// rows do a third, but their four chains of dependent multiply-adds bound them by latency, not throughput.
    /// Every element is the same chain of multiply-adds in the same k order as in the six-row kernel, so the same bits.
    /// Its loop repeats the six-row one's first rows rather than sharing it: that loop's register allocation was measured and is kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void ComputeEdge<TMultiplyAdd, TWrite, TRows>(int count, int* steps, float* a, float* b, float* c, nint ldc)
        where TMultiplyAdd : IMultiplyAdd where TWrite : ITileWrite where TRows : IEdgeRows
    {
        Vector256<float> c00 = Vector256<float>.Zero, c01 = Vector256<float>.Zero;
        Vector256<float> c10 = Vector256<float>.Zero, c11 = Vector256<float>.Zero;
        Vector256<float> c20 = Vector256<float>.Zero, c21 = Vector256<float>.Zero;
        Vector256<float> c30 = Vector256<float>.Zero, c31 = Vector256<float>.Zero;

        for (int t = 0; t < count; t++)
        {
            int p = steps == null ? t : steps[t];
            float* ap = a + p * GemmBlocking.MR;
            float* bp = b + p * GemmBlocking.NR;
            Vector256<float> b0 = Avx.LoadAlignedVector256(bp);
            Vector256<float> b1 = Avx.LoadAlignedVector256(bp + 8);
            Vector256<float> av = Avx.BroadcastScalarToVector256(ap);
            c00 = TMultiplyAdd.Invoke(av, b0, c00); c01 = TMultiplyAdd.Invoke(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(ap + 1);
            c10 = TMultiplyAdd.Invoke(av, b0, c10); c11 = TMultiplyAdd.Invoke(av, b1, c11);
            if (TRows.Count == 4)
            {
                av = Avx.BroadcastScalarToVector256(ap + 2);
                c20 = TMultiplyAdd.Invoke(av, b0, c20); c21 = TMultiplyAdd.Invoke(av, b1, c21);
                av = Avx.BroadcastScalarToVector256(ap + 3);
                c30 = TMultiplyAdd.Invoke(av, b0, c30); c31 = TMultiplyAdd.Invoke(av, b1, c31);
            }
        }

        TWrite.Write(c, c00); TWrite.Write(c + 8, c01); c += ldc;
        TWrite.Write(c, c10); TWrite.Write(c + 8, c11);
        if (TRows.Count == 4)
        {
            c += ldc;
            TWrite.Write(c, c20); TWrite.Write(c + 8, c21); c += ldc;
            TWrite.Write(c, c30); TWrite.Write(c + 8, c31);
        }
    }

    /// <summary>How many rows <see cref="ComputeEdge{TMultiplyAdd, TWrite, TRows}"/> computes.</summary>
    public interface IEdgeRows
    {
        static abstract int Count { get; }
    }

    /// <summary>Four rows.</summary>
    public readonly struct FourRows : IEdgeRows
    {
        public static int Count => 4;
    }

    /// <summary>Two rows.</summary>
    public readonly struct TwoRows : IEdgeRows
    {
        public static int Count => 2;
    }

    /// <summary>
    /// One micro-tile of <paramref name="rows"/> rows from the GEMM's loop: into the workspace tile for
    /// <see cref="TileWriter"/> or, when <paramref name="direct"/> (a tile of C with all 16 columns, not transposed,
    /// α = 1 and β = 0 or 1), straight into C: C = tile or C = tile + C — the bits TileWriter gives then (α·t = t and
    /// β·c = c exactly, added in the same order), without the round trip through the workspace tile. A tile of at
    /// most four rows runs <see cref="ComputeEdge{TMultiplyAdd, TWrite, TRows}"/>; it goes straight into C only
    /// when its rows are exactly the four or two the edge kernel writes.
    /// </summary>
    /// <returns>Whether the tile went straight into C (otherwise it is in <paramref name="tile"/>, for TileWriter).</returns>
    public static bool Tile<TMultiplyAdd>(int* steps, int count, int kc, float* a, float* b, float* tile, float* c, int ldc, int rows, float beta, bool direct)
        where TMultiplyAdd : IMultiplyAdd
    {
        if (steps == null) count = kc;
        if (rows <= 4)
        {
            bool straight = direct && (rows == 4 || rows == 2);
            if (rows <= 2) Edge<TMultiplyAdd, TwoRows>(steps, count, a, b, tile, c, ldc, beta, straight);
            else Edge<TMultiplyAdd, FourRows>(steps, count, a, b, tile, c, ldc, beta, straight);
            return straight;
        }
        direct &= rows == GemmBlocking.MR;
        if (!direct)
        {
            if (steps != null) ComputeSteps<TMultiplyAdd, Overwrite>(count, steps, a, b, tile, GemmBlocking.NR);
            else Compute<TMultiplyAdd, Overwrite>(kc, a, b, tile, GemmBlocking.NR);
        }
        else if (beta == 0f)
        {
            if (steps != null) ComputeSteps<TMultiplyAdd, Overwrite>(count, steps, a, b, c, ldc);
            else Compute<TMultiplyAdd, Overwrite>(kc, a, b, c, ldc);
        }
        else
        {
            if (steps != null) ComputeSteps<TMultiplyAdd, AddTo>(count, steps, a, b, c, ldc);
            else Compute<TMultiplyAdd, AddTo>(kc, a, b, c, ldc);
        }
        return direct;
    }

    private static void Edge<TMultiplyAdd, TRows>(int* steps, int count, float* a, float* b, float* tile, float* c, int ldc, float beta, bool direct)
        where TMultiplyAdd : IMultiplyAdd where TRows : IEdgeRows
    {
        if (!direct) ComputeEdge<TMultiplyAdd, Overwrite, TRows>(count, steps, a, b, tile, GemmBlocking.NR);
        else if (beta == 0f) ComputeEdge<TMultiplyAdd, Overwrite, TRows>(count, steps, a, b, c, ldc);
        else ComputeEdge<TMultiplyAdd, AddTo, TRows>(count, steps, a, b, c, ldc);
    }

    /// <summary>How a computed row half (8 lanes) of the tile is written.</summary>
    public interface ITileWrite
    {
        static abstract void Write(float* destination, Vector256<float> value);
    }

    /// <summary>destination = value.</summary>
    public readonly struct Overwrite : ITileWrite
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Write(float* destination, Vector256<float> value) => Avx.Store(destination, value);
    }

    /// <summary>destination = value + destination (the order of TileWriter's α·t + β·c).</summary>
    public readonly struct AddTo : ITileWrite
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Write(float* destination, Vector256<float> value) => Avx.Store(destination, Avx.Add(value, Avx.LoadVector256(destination)));
    }

    /// <summary>c + a·b on 8 lanes, one way or the other.</summary>
    public interface IMultiplyAdd
    {
        static abstract Vector256<float> Invoke(Vector256<float> a, Vector256<float> b, Vector256<float> c);
    }

    /// <summary>Fused: rounded once.</summary>
    public readonly struct WithFma : IMultiplyAdd
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);
    }

    /// <summary>A multiply, then an add: rounded twice.</summary>
    public readonly struct WithoutFma : IMultiplyAdd
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Avx.Add(Avx.Multiply(a, b), c);
    }
}
