using System.Runtime.Intrinsics;

namespace Vae.Simd.Kernels;

/// <summary>Writes a computed 6 × 16 tile into C: C = α·tile + β·C over the part of the tile inside C (β = 0 does not read C).</summary>
internal static unsafe class TileWriter
{
    public static void Write(float* tile, float* c, int ldc, int rows, int columns, float alpha, float beta)
    {
        const int NR = GemmBlocking.NR;
        if (columns == NR && Vector256.IsHardwareAccelerated)
        {
            Vector256<float> va = Vector256.Create(alpha), vb = Vector256.Create(beta);
            for (int r = 0; r < rows; r++, c += ldc, tile += NR)
            {
                Vector256<float> low = Vector256.Load(tile) * va, high = Vector256.Load(tile + 8) * va;
                if (beta != 0f)
                {
                    low += Vector256.Load(c) * vb;
                    high += Vector256.Load(c + 8) * vb;
                }
                Vector256.Store(low, c);
                Vector256.Store(high, c + 8);
            }
            return;
        }
        for (int r = 0; r < rows; r++, c += ldc, tile += NR)
        {
            if (beta == 0f)
                for (int j = 0; j < columns; j++) c[j] = alpha * tile[j];
            else
                for (int j = 0; j < columns; j++) c[j] = alpha * tile[j] + beta * c[j];
        }
    }
}
