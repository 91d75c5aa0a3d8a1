using System.Runtime.CompilerServices;

namespace Vae.Simd.Kernels;

/// <summary>
/// e^x and log x of our own (with e^−a and log(1 + e) on [0, 1], cheaper where the range is known), written once over <see cref="ILanes{TSelf}"/> with additions, multiplications,
/// compares and bit operations only (no FMA, no table, no library call), so every path — Vector256,
/// Vector128, scalar; x64 with or without AVX2, ARM64 — returns the same bits. The reductions are
/// Cody–Waite with a split ln 2, the polynomials Cephes' single-precision minimax fits (expf, logf);
/// the measured error against a double reference is asserted in the tests.
/// </summary>
internal static class Transcendentals
{
    // Adding 1.5·2²³ to |t| < 2²² rounds t to an integer (ties to even) and leaves it in the low mantissa bits.
    private const float RoundingMagic = 12582912f;
    private const float Ln2High = 0.693359375f;      // 355/512: n·Ln2High is exact for |n| ≤ 2¹⁵
    private const float Ln2Low = -2.12194440e-4f;    // ln 2 − Ln2High
    private const float TwoToMinus64 = 5.42101086e-20f; // 2⁻⁶⁴ (the nearest float to this decimal is exactly it)

    // Cephes' expf polynomial: e^r ≈ 1 + r + r²·(E0 + E1·r + … + E5·r⁵) for |r| ≤ ½ ln 2.
    private const float E0 = 5.0000001201E-1f, E1 = 1.6666665459E-1f, E2 = 4.1665795894E-2f;
    private const float E3 = 8.3334519073E-3f, E4 = 1.3981999507E-3f, E5 = 1.9875691500E-4f;

    /// <summary>e^x: exact limits (e^−∞ = 0, e^+∞ = +∞), +∞ above ln(float.MaxValue), subnormals below −87.3, NaN kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<TV>(TV x) where TV : struct, ILanes<TV>
    {
        // Clamp first so the integer part n stays in [−150, 128] (the two-step scaling below covers it).
        TV xc = TV.Select(TV.GreaterThan(x, TV.Create(88.8f)), TV.Create(88.8f), x);
        xc = TV.Select(TV.LessThan(xc, TV.Create(-104f)), TV.Create(-104f), xc);
        TV n = xc * TV.Create(1.44269504088896341f) + TV.Create(RoundingMagic) - TV.Create(RoundingMagic);
        TV r = xc - n * TV.Create(Ln2High) - n * TV.Create(Ln2Low);
        TV y = ExpOfReduced(r);
        // 2ⁿ as two factors 2^n1·2^n2 (each a normal float), so results down to the subnormals round once.
        TV n1 = n * TV.Create(0.5f) + TV.Create(RoundingMagic) - TV.Create(RoundingMagic);
        TV n2 = n - n1;
        y = y * PowerOfTwo(n1) * PowerOfTwo(n2);
        y = TV.Select(TV.GreaterThan(x, TV.Create(88.72283935546875f)), TV.Create(float.PositiveInfinity), y);
        y = TV.Select(TV.LessThan(x, TV.Create(-103.97208404541015625f)), TV.Create(0f), y);
        return TV.Select(TV.Equals(x, x), y, x);
    }

    /// <summary>
    /// e^−a for a ≥ 0 (or NaN, kept), the cheaper half of <see cref="Exp{TV}"/>: the result lies in [0, 1], so
    /// there is no overflow to clamp and 2⁻ⁿ needs one factor, not two. Same reduction and polynomial as
    /// <see cref="Exp{TV}"/>, evaluated by Estrin's scheme (a shorter chain of dependent steps, which is what
    /// limits a loop of these), so the two differ in the last bit at times; the error bound is the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ExpOfNegated<TV>(TV a) where TV : struct, ILanes<TV>
    {
        // Above 104, e^−a rounds to 0; the clamp keeps n ≤ 150, so 2^(64−n) below is a normal float.
        TV ac = TV.Select(TV.GreaterThan(a, TV.Create(104f)), TV.Create(104f), a);
        TV n = ac * TV.Create(1.44269504088896341f) + TV.Create(RoundingMagic) - TV.Create(RoundingMagic);
        // −a − (−n)·ln 2 with the split ln 2, negations moved out (they are exact): the same r as Exp(−a) computes.
        TV r = n * TV.Create(Ln2High) - ac + n * TV.Create(Ln2Low);
        TV z = r * r;
        TV p = (TV.Create(E0) + TV.Create(E1) * r) + z * (TV.Create(E2) + TV.Create(E3) * r) + (z * z) * (TV.Create(E4) + TV.Create(E5) * r);
        TV y = p * z + r + TV.Create(1f);
        // y·2⁻ⁿ as (y·2^(64−n))·2⁻⁶⁴: the first product only moves the exponent (exact), the second rounds
        // once, also into the subnormals — a single 2⁻ⁿ factor would not exist as a float for n > 126.
        return y * TV.ShiftLeft(TV.Create(RoundingMagic + 127f + 64f) - n, 23) * TV.Create(TwoToMinus64);
    }

    /// <summary>
    /// log(1 + e) for e in [0, 1] (or NaN, kept) as e + e·(e·P(e)), P a degree-7 fit of (log(1 + e) − e)/e² that
    /// minimises the relative error of the whole (3.3e-8 before rounding; 1.8e-7 measured in float over [0, 1],
    /// the subnormals included — VectorMathTests). On this range the general log's reduction, special cases and
    /// Goldberg's division are not needed; the leading e is added last, so for tiny e the result is e exactly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Log1pOfUnitInterval<TV>(TV e) where TV : struct, ILanes<TV>
    {
        // Estrin's scheme: four pairs, then e² and e⁴ join them — a quarter of Horner's chain of dependent steps,
        // which here (not the count of operations) limits the speed.
        TV e2 = e * e;
        TV e4 = e2 * e2;
        TV p01 = TV.Create(3.332132101e-01f) * e - TV.Create(4.999964833e-01f);
        TV p23 = TV.Create(1.915364265e-01f) * e - TV.Create(2.485716045e-01f);
        TV p45 = TV.Create(7.920423150e-02f) * e - TV.Create(1.375377625e-01f);
        TV p67 = TV.Create(5.364777055e-03f) * e - TV.Create(3.006560355e-02f);
        TV p = (p45 + e2 * p67) * e4 + (p01 + e2 * p23);
        return e + e * (e * p);
    }

    /// <summary>log x: log 0 = −∞, log of a negative = NaN, log +∞ = +∞, subnormal inputs exact in the exponent, NaN kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Log<TV>(TV x) where TV : struct, ILanes<TV>
    {
        // Subnormals: scale by 2²³ first so the exponent field is meaningful.
        TV subnormal = TV.LessThan(x, TV.Create(1.17549435e-38f));
        TV xs = TV.Select(subnormal, x * TV.Create(8388608f), x);
        TV exponentBias = TV.Select(subnormal, TV.Create(126f + 23f), TV.Create(126f));
        // x = m·2^e with m in [0.5, 1): e from the exponent field (read as an integer via 2²³ + field), m by replacing it.
        TV field = TV.ShiftRightLogical(xs, 23) | TV.CreateBits(0x4B000000u);
        TV e = field - TV.Create(8388608f) - exponentBias;
        TV m = (xs & TV.CreateBits(0x007FFFFFu)) | TV.CreateBits(0x3F000000u);
        // m below √½: use 2m − 1 and e − 1, so the polynomial's argument stays in [√½ − 1, √2 − 1).
        TV low = TV.LessThan(m, TV.Create(0.707106781186547524f));
        e = TV.Select(low, e - TV.Create(1f), e);
        m = TV.Select(low, m + m - TV.Create(1f), m - TV.Create(1f));
        TV z = m * m;
        TV p = TV.Create(7.0376836292E-2f);
        p = p * m - TV.Create(1.1514610310E-1f);
        p = p * m + TV.Create(1.1676998740E-1f);
        p = p * m - TV.Create(1.2420140846E-1f);
        p = p * m + TV.Create(1.4249322787E-1f);
        p = p * m - TV.Create(1.6668057665E-1f);
        p = p * m + TV.Create(2.0000714765E-1f);
        p = p * m - TV.Create(2.4999993993E-1f);
        p = p * m + TV.Create(3.3333331174E-1f);
        TV y = p * m * z + e * TV.Create(Ln2Low) - TV.Create(0.5f) * z;
        TV result = m + y + e * TV.Create(Ln2High);
        result = TV.Select(TV.Equals(x, TV.Create(0f)), TV.Create(float.NegativeInfinity), result);
        result = TV.Select(TV.Equals(x, TV.Create(float.PositiveInfinity)), x, result);
        // Negative inputs and NaN: NaN (x < 0 is false for NaN, so NaN passes through unchanged).
        result = TV.Select(TV.LessThan(x, TV.Create(0f)), TV.Create(float.NaN), result);
        return TV.Select(TV.Equals(x, x), result, x);
    }

    /// <summary>e^r for the reduced argument |r| ≤ ½ ln 2, by Horner's rule (the order <see cref="Exp{TV}"/>'s bits are defined by).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpOfReduced<TV>(TV r) where TV : struct, ILanes<TV>
    {
        TV z = r * r;
        TV p = TV.Create(E5);
        p = p * r + TV.Create(E4);
        p = p * r + TV.Create(E3);
        p = p * r + TV.Create(E2);
        p = p * r + TV.Create(E1);
        p = p * r + TV.Create(E0);
        return p * z + r + TV.Create(1f);
    }

    /// <summary>2ᵏ for an integer-valued k in [−126, 127], built in the exponent field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV PowerOfTwo<TV>(TV k) where TV : struct, ILanes<TV> =>
        // The bits of 1.5·2²³ + (k + 127) end in k + 127; shifting left by 23 drops the rest.
        TV.ShiftLeft(k + TV.Create(RoundingMagic + 127f), 23);
}
