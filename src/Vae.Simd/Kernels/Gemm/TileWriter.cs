namespace Vae.Simd.Kernels;

/// <summary>
/// Writes a computed 6 × 16 tile into C: C = α·tile + β·C over the part of the tile inside C (β = 0 does not read C),
/// or into Cᵀ's place when the GEMM computes the transposed product (<see cref="TransposedProduct"/>).
/// </summary>
internal static unsafe class TileWriter
{
    public static void Write(float* tile, float* c, int ldc, int rows, int columns, float alpha, float beta, LaneWidth width, bool transposed)
    {
        if (transposed) WriteTransposed(tile, c, ldc, rows, columns, alpha, beta, width);
        else if (columns == GemmBlocking.NR && width == LaneWidth.Vector256) Rows<Lanes8>(tile, c, ldc, rows, columns, alpha, beta);
        else if (columns == GemmBlocking.NR && width == LaneWidth.Vector128) Rows<Lanes4>(tile, c, ldc, rows, columns, alpha, beta);
        else Rows<Lanes1>(tile, c, ldc, rows, columns, alpha, beta);
    }

    /// <summary>
    /// Writes the transpose of the tile (<see cref="TransposedProduct"/>): tile row r goes to column r of C, tile
    /// column q to row q, i.e. c[q·ldc + r] = α·tile[r, q] + β·c[q·ldc + r]. On the Vector256 path the tile is
    /// first transposed in registers into <paramref name="tile"/>'s second half (see <see cref="GemmWorkspace.Tile"/>),
    /// so each row of C is written with one 4-lane store and scalars — the same unfused formula lane by lane.
    /// </summary>
    private static void WriteTransposed(float* tile, float* c, int ldc, int rows, int columns, float alpha, float beta, LaneWidth width)
    {
        const int Transposed = GemmBlocking.MR + 2; // row stride of the transposed tile: the 8×8 transpose writes 8 lanes
        if (width == LaneWidth.Vector256)
        {
            float* transposed = tile + TileFloats;
            TransposeAvx.Transpose8x8(tile, GemmBlocking.NR, transposed, Transposed);
            TransposeAvx.Transpose8x8(tile + 8, GemmBlocking.NR, transposed + 8 * Transposed, Transposed);
            for (int q = 0; q < columns; q++, c += ldc, transposed += Transposed)
            {
                int r = 0;
                for (; r + Lanes4.Count <= rows; r += Lanes4.Count) Combine<Lanes4>(transposed + r, c + r, alpha, beta);
                for (; r < rows; r++) Combine<Lanes1>(transposed + r, c + r, alpha, beta);
            }
        }
        else
        {
            for (int q = 0; q < columns; q++, c += ldc)
                for (int r = 0; r < rows; r++) Combine<Lanes1>(tile + r * GemmBlocking.NR + q, c + r, alpha, beta);
        }
    }

    /// <summary>
    /// Floats of the computed tile as the micro-kernel writes it, padded to 8 rows so the 8×8 transposes read
    /// inside the buffer (rows 6 and 7 are never written to C); the transposed tile (16 rows of 8) follows.
    /// </summary>
    public const int TileFloats = 8 * GemmBlocking.NR;

    /// <summary>Room the workspace keeps for the tile and its transpose.</summary>
    public const int WorkspaceFloats = TileFloats + GemmBlocking.NR * 8;

    // α·t + β·c, unfused on every path, so edge tiles (one lane at a time) match whole ones.
    private static void Rows<TV>(float* tile, float* c, int ldc, int rows, int columns, float alpha, float beta) where TV : struct, ILanes<TV>
    {
        TV va = TV.Create(alpha), vb = TV.Create(beta);
        for (int r = 0; r < rows; r++, c += ldc, tile += GemmBlocking.NR)
        {
            for (int j = 0; j + TV.Count <= columns; j += TV.Count)
            {
                TV value = TV.Load(ref tile[j], 0) * va;
                if (beta != 0f) value += TV.Load(ref c[j], 0) * vb;
                TV.Store(value, ref c[j], 0);
            }
        }
    }

    /// <summary>The same formula as <see cref="Rows{TV}"/> on one vector of a transposed tile.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Combine<TV>(float* t, float* c, float alpha, float beta) where TV : struct, ILanes<TV>
    {
        TV value = TV.Load(ref *t, 0) * TV.Create(alpha);
        if (beta != 0f) value += TV.Load(ref *c, 0) * TV.Create(beta);
        TV.Store(value, ref *c, 0);
    }
}
