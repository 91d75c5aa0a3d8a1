using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Vae.Simd.Kernels;

/// <summary>The AVX in-register transposes that pack a transposed B and a row-major A, and write a transposed tile, on the Vector256 path.</summary>
internal static unsafe class TransposeAvx
{
    /// <summary>
    /// Writes the transpose of the 8×8 tile at <paramref name="source"/> (row stride <paramref name="sourceStride"/>)
    /// to <paramref name="destination"/> (row stride <paramref name="destinationStride"/>), in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8x8(float* source, int sourceStride, float* destination, int destinationStride)
    {
        Transpose(
            Avx.LoadVector256(source), Avx.LoadVector256(source + sourceStride),
            Avx.LoadVector256(source + 2 * sourceStride), Avx.LoadVector256(source + 3 * sourceStride),
            Avx.LoadVector256(source + 4 * sourceStride), Avx.LoadVector256(source + 5 * sourceStride),
            Avx.LoadVector256(source + 6 * sourceStride), Avx.LoadVector256(source + 7 * sourceStride),
            out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3,
            out Vector256<float> o4, out Vector256<float> o5, out Vector256<float> o6, out Vector256<float> o7);
        Avx.Store(destination, o0);
        Avx.Store(destination + destinationStride, o1);
        Avx.Store(destination + 2 * destinationStride, o2);
        Avx.Store(destination + 3 * destinationStride, o3);
        Avx.Store(destination + 4 * destinationStride, o4);
        Avx.Store(destination + 5 * destinationStride, o5);
        Avx.Store(destination + 6 * destinationStride, o6);
        Avx.Store(destination + 7 * destinationStride, o7);
    }

    /// <summary>
    /// Writes the transpose of the 6×8 tile at <paramref name="source"/> (6 rows of 8, row stride
    /// <paramref name="sourceStride"/>) as 8 rows of 6 packed one after the other (48 floats), as a packed A
    /// panel holds them. Reads only the 6 rows and writes only the 48 floats: each of the first seven rows is
    /// stored 8 wide, its 2 extra lanes overwritten by the next row; the last is stored as 4 + 2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose6x8(float* source, int sourceStride, float* destination)
    {
        Vector256<float> zero = Vector256<float>.Zero;
        Transpose(
            Avx.LoadVector256(source), Avx.LoadVector256(source + sourceStride),
            Avx.LoadVector256(source + 2 * sourceStride), Avx.LoadVector256(source + 3 * sourceStride),
            Avx.LoadVector256(source + 4 * sourceStride), Avx.LoadVector256(source + 5 * sourceStride), zero, zero,
            out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3,
            out Vector256<float> o4, out Vector256<float> o5, out Vector256<float> o6, out Vector256<float> o7);
        Avx.Store(destination, o0);
        Avx.Store(destination + 6, o1);
        Avx.Store(destination + 12, o2);
        Avx.Store(destination + 18, o3);
        Avx.Store(destination + 24, o4);
        Avx.Store(destination + 30, o5);
        Avx.Store(destination + 36, o6);
        Sse.Store(destination + 42, o7.GetLower());
        Sse.StoreLow(destination + 46, o7.GetUpper());
    }

    /// <summary>The 8×8 transpose of r0..r7 (rows) into o0..o7 (columns).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7,
        out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3,
        out Vector256<float> o4, out Vector256<float> o5, out Vector256<float> o6, out Vector256<float> o7)
    {
        // Interleave pairs of rows, then pairs of pairs within each 128-bit lane, then combine lanes.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);

        o0 = Avx.Permute2x128(s0, s4, 0x20);
        o1 = Avx.Permute2x128(s1, s5, 0x20);
        o2 = Avx.Permute2x128(s2, s6, 0x20);
        o3 = Avx.Permute2x128(s3, s7, 0x20);
        o4 = Avx.Permute2x128(s0, s4, 0x31);
        o5 = Avx.Permute2x128(s1, s5, 0x31);
        o6 = Avx.Permute2x128(s2, s6, 0x31);
        o7 = Avx.Permute2x128(s3, s7, 0x31);
    }
}
