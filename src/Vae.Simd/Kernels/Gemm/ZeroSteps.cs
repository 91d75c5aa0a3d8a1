namespace Vae.Simd.Kernels;

/// <summary>
/// The k-steps of a packed micro-panel that are not all zero, in increasing order, for the micro-kernels'
/// stepped loops (<see cref="SparseOperand"/>).
/// </summary>
/// <remarks>
/// Why skipping is exact: a skipped step would add a·b with a = ±0 to each accumulator, and a·b is then ±0
/// when b is finite, so c + a·b = c — with one exception: an accumulator that is −0 (possible only after
/// products that underflowed to −0) plus +0 gives +0, so skipping can keep a −0 where the dense sum has +0.
/// If b were infinite or NaN the dense sum would be NaN; the GEMM therefore skips only when the other
/// operand's packed block is entirely finite (<see cref="AllFinite"/>), so NaN and infinity propagate as in
/// the dense product. The order of the remaining steps is unchanged, so every other bit is the dense one,
/// on every micro-kernel.
/// </remarks>
internal static unsafe class ZeroSteps
{
    /// <summary>
    /// For each of the <paramref name="panels"/> packed panels of <paramref name="width"/> floats a step and
    /// <paramref name="kc"/> steps, writes the indices of its non-zero steps to steps[panel·kc …] and their
    /// number to counts[panel].
    /// </summary>
    public static void List(float* packed, int panels, int kc, int width, int* steps, int* counts)
    {
        for (int panel = 0; panel < panels; panel++)
        {
            uint* bits = (uint*)(packed + (long)panel * kc * width);
            int* list = steps + panel * kc;
            int count = 0;
            for (int p = 0; p < kc; p++, bits += width)
            {
                uint any = 0;
                for (int j = 0; j < width; j++) any |= bits[j];
                // ±0 has no bits other than the sign.
                list[count] = p;
                count += (any & 0x7FFF_FFFFu) != 0 ? 1 : 0;
            }
            counts[panel] = count;
        }
    }

    /// <summary>Whether all <paramref name="length"/> floats are finite: Σ x·0 is 0 then, NaN otherwise.</summary>
    public static bool AllFinite(float* values, int length) =>
        !float.IsNaN(ReductionDriver.Sum<TimesZero>(0f, new ReadOnlySpan<float>(values, length), new ReadOnlySpan<float>(values, length)));

    /// <summary>Steps at or above this share of kc run the dense loop: a stepped loop is no faster then.</summary>
    public static bool WorthSkipping(int count, int kc) => count <= kc - kc / 8;

    /// <summary>x·0: ±0 for finite x, NaN for infinite or NaN x.</summary>
    private readonly struct TimesZero : ITernaryOperator
    {
        public static TV Invoke<TV>(TV s, TV x, TV y) where TV : struct, ILanes<TV> => x * TV.Create(0f);
    }
}
