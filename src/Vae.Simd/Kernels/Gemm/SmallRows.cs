using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Vae.Simd.Kernels;

/// <summary>
/// Products with very few rows and B used transposed (x·Wᵀ for one or two examples, as single-image
/// inference does): each output is a dot product of an A row and a B row, both contiguous, so no panel is
/// packed. Packing would copy the whole weight matrix to use it once.
/// </summary>
internal static class SmallRows
{
    /// <summary>Rows of C at or below which this path is used.</summary>
    public const int MaxRows = 2;

    /// <summary>C = α·A·Bᵀ + β·C for m ≤ <see cref="MaxRows"/>; A is m×k, B is n×k.</summary>
    public static void MultiplyTransposedB(int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> row = a.Slice(i * lda, k);
            for (int j = 0; j < n; j++)
            {
                float dot = Dot(row, b.Slice(j * ldb, k));
                ref float target = ref c[i * ldc + j];
                target = beta == 0f ? alpha * dot : alpha * dot + beta * target;
            }
        }
    }

    /// <summary>Σ x[i]·y[i] with four independent FMA accumulators, then a scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        float sum = 0f;
        if (Vector256.IsHardwareAccelerated && n >= 32)
        {
            Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (; i <= n - 32; i += 32)
            {
                s0 = MultiplyAdd(Vector256.LoadUnsafe(ref xs, (nuint)i), Vector256.LoadUnsafe(ref ys, (nuint)i), s0);
                s1 = MultiplyAdd(Vector256.LoadUnsafe(ref xs, (nuint)(i + 8)), Vector256.LoadUnsafe(ref ys, (nuint)(i + 8)), s1);
                s2 = MultiplyAdd(Vector256.LoadUnsafe(ref xs, (nuint)(i + 16)), Vector256.LoadUnsafe(ref ys, (nuint)(i + 16)), s2);
                s3 = MultiplyAdd(Vector256.LoadUnsafe(ref xs, (nuint)(i + 24)), Vector256.LoadUnsafe(ref ys, (nuint)(i + 24)), s3);
            }
            for (; i <= n - 8; i += 8)
                s0 = MultiplyAdd(Vector256.LoadUnsafe(ref xs, (nuint)i), Vector256.LoadUnsafe(ref ys, (nuint)i), s0);
            sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        }
        for (; i < n; i++) sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref xs, i), Unsafe.Add(ref ys, i), sum);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MultiplyAdd(Vector256<float> x, Vector256<float> y, Vector256<float> z) =>
        Fma.IsSupported ? Fma.MultiplyAdd(x, y, z) : x * y + z;
}
