namespace Vae.Simd.Kernels;

/// <summary>Writes a computed 6 × 16 tile into C: C = α·tile + β·C over the part of the tile inside C (β = 0 does not read C).</summary>
internal static unsafe class TileWriter
{
    public static void Write(float* tile, float* c, int ldc, int rows, int columns, float alpha, float beta, LaneWidth width)
    {
        if (columns == GemmBlocking.NR && width == LaneWidth.Vector256) Rows<Lanes8>(tile, c, ldc, rows, columns, alpha, beta);
        else if (columns == GemmBlocking.NR && width == LaneWidth.Vector128) Rows<Lanes4>(tile, c, ldc, rows, columns, alpha, beta);
        else Rows<Lanes1>(tile, c, ldc, rows, columns, alpha, beta);
    }

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
}
