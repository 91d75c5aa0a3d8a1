using System.Runtime.Intrinsics;
using Vae.Simd.Kernels;
using Xunit.Abstractions;

namespace Vae.Simd.Tests.Kernels;

/// <summary>
/// Accuracy of the vectorised transcendentals against <see cref="Math"/> in double over dense sweeps,
/// for the vector path (whole spans) and the scalar path (what the tail and non-SIMD machines run).
/// The error measure is |f̂ − f| / max(|f|, floor): relative where f is not tiny.
/// </summary>
public class VectorMathTests(ITestOutputHelper output)
{
    /// <summary>The README's claim: "max relative error ≤ 3e-7" over dense sweeps, for every transcendental and both paths.</summary>
    private const double ReadmeBound = 3e-7;

    private delegate void Kernel(ReadOnlySpan<float> x, Span<float> destination);

    /// <summary>The operator on one lane: what the tail of every span and machines without SIMD compute.</summary>
    private static float Scalar<TOp>(float x) where TOp : IUnaryOperator => TOp.Invoke(Lanes1.Create(x)).Value;

    private static float[] Sweep(double low, double high, int count)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(low + (high - low) * i / (count - 1));
        return x;
    }

    private static float[] LogSweep(double lowMagnitude, double highMagnitude, int count, bool bothSigns)
    {
        var x = new float[count];
        double l0 = Math.Log(lowMagnitude), l1 = Math.Log(highMagnitude);
        for (int i = 0; i < count; i++)
        {
            double v = Math.Exp(l0 + (l1 - l0) * i / (count - 1));
            x[i] = (float)(bothSigns && i % 2 == 1 ? -v : v);
        }
        return x;
    }

    private double MaxError(string name, Kernel kernel, Func<float, float> scalar, Func<double, double> reference, float[] x, double floor)
    {
        var y = new float[x.Length];
        kernel(x, y);
        double worstVector = 0, worstScalar = 0;
        float worstAt = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double e = reference(x[i]);
            double scale = Math.Max(Math.Abs(e), floor);
            double ev = Math.Abs(y[i] - e) / scale, es = Math.Abs(scalar(x[i]) - e) / scale;
            if (ev > worstVector) { worstVector = ev; worstAt = x[i]; }
            worstScalar = Math.Max(worstScalar, es);
        }
        output.WriteLine($"{name}: max error vector {worstVector:E2} (at {worstAt}), scalar {worstScalar:E2} over {x.Length} points");
        return Math.Max(worstVector, worstScalar);
    }

    [Fact]
    public void ExpIsAccurateOverItsWholeFiniteRange()
    {
        double error = MaxError("exp", VectorMath.Exp, Scalar<ExpOperator>, Math.Exp, Sweep(-87.3, 88.7, 1_000_001), 1e-30);
        Assert.True(error <= ReadmeBound, $"exp max relative error {error}");
    }

    [Fact]
    public void LogIsAccurateFromTinyToHuge()
    {
        double error = MaxError("log", VectorMath.Log, Scalar<LogOperator>, Math.Log, LogSweep(1e-37, 3e38, 1_000_001, false), 1e-7);
        Assert.True(error <= ReadmeBound, $"log max error {error}");
    }

    [Fact]
    public void Log1pKeepsRelativeAccuracyNearZero()
    {
        float[] x = [.. LogSweep(1e-8, 1e10, 500_000, true).Where(v => v > -0.999f), .. Sweep(-0.999, 3, 100_001)];
        double error = MaxError("log1p", VectorMath.Log1p, Scalar<Log1pOperator>, v => Math.Log(1 + (double)v), x, 1e-30);
        Assert.True(error <= ReadmeBound, $"log1p max relative error {error}");
    }

    [Fact]
    public void TanhIsAccurateIncludingTinyInputs()
    {
        float[] x = [.. Sweep(-20, 20, 1_000_001), .. LogSweep(1e-8, 1, 100_001, true)];
        double error = MaxError("tanh", VectorMath.Tanh, Scalar<TanhOperator>, Math.Tanh, x, 1e-30);
        Assert.True(error <= ReadmeBound, $"tanh max relative error {error}");
    }

    [Fact]
    public void SigmoidIsAccurate()
    {
        double error = MaxError("sigmoid", VectorMath.Sigmoid, Scalar<SigmoidOperator>, v => 1 / (1 + Math.Exp(-v)), Sweep(-88, 88, 1_000_001), 1e-30);
        Assert.True(error <= ReadmeBound, $"sigmoid max relative error {error}");
    }

    [Fact]
    public void SoftplusIsAccurateAndNeverOverflows()
    {
        static double Reference(double v)
        {
            // log1p in double: log(1 + u) itself rounds to 0 once u < 1e-16.
            double u = Math.Exp(-Math.Abs(v));
            double log1p = u < 1e-4 ? u - u * u / 2 + u * u * u / 3 : Math.Log(1 + u);
            return Math.Max(v, 0) + log1p;
        }
        float[] x = [.. Sweep(-100, 100, 1_000_001), -1e30f, 1e30f, -3e38f, 3e38f];
        double error = MaxError("softplus", VectorMath.Softplus, Scalar<SoftplusOperator>, Reference, x, 1e-30);
        Assert.True(error <= ReadmeBound, $"softplus max relative error {error}");
    }

    [Fact]
    public void ExpOfNegatedIsAccurateAndRoundsOnceIntoTheSubnormals()
    {
        float[] a = [.. Sweep(0, 110, 1_000_001), 0f, float.Epsilon, 103.97207f, 103.97208f, 104f, 1e30f, float.PositiveInfinity];
        double worst = 0;
        foreach (float v in a)
        {
            float y = Transcendentals.ExpOfNegated(Lanes1.Create(v)).Value;
            double e = Math.Exp(-(double)v);
            // One rounding into the subnormals: at most half their spacing 2^-149 beyond the polynomial's relative error.
            double excess = Math.Max(0, Math.Abs(y - e) - Math.ScaleB(1, -150)) / Math.Max(e, 1e-300);
            worst = Math.Max(worst, excess);
        }
        output.WriteLine($"e^-a: max relative error beyond the subnormal rounding {worst:E2}");
        Assert.True(worst <= ReadmeBound, $"e^-a max relative error {worst}");
        Assert.True(float.IsNaN(Transcendentals.ExpOfNegated(Lanes1.Create(float.NaN)).Value));
    }

    [Fact]
    public void Log1pOfUnitIntervalIsAccurateDownToTheSubnormals()
    {
        float[] e = [.. Sweep(0, 1, 1_000_001), .. LogSweep(1e-45, 1, 100_001, false)];
        double worst = 0;
        foreach (float v in e)
        {
            float y = Transcendentals.Log1pOfUnitInterval(Lanes1.Create(v)).Value;
            double reference = v < 1e-4 ? v - (double)v * v / 2 + (double)v * v * v / 3 : Math.Log(1 + (double)v);
            if (v == 0) Assert.Equal(0f, y);
            else worst = Math.Max(worst, Math.Abs(y - reference) / reference);
        }
        output.WriteLine($"log1p on [0, 1]: max relative error {worst:E2}");
        Assert.True(worst <= ReadmeBound, $"log1p on [0, 1] max relative error {worst}");
        Assert.True(float.IsNaN(Transcendentals.Log1pOfUnitInterval(Lanes1.Create(float.NaN)).Value));
    }

    [Fact]
    public void SpecialValuesFollowTheMathematicalLimits()
    {
        float nan = float.NaN, inf = float.PositiveInfinity;
        // Nine inputs so both the vector body and the scalar tail see every special value.
        float[] x = [nan, inf, -inf, 0f, -0f, 100f, -100f, 1e-45f, nan];
        Check(VectorMath.Exp, x, [nan, inf, 0f, 1f, 1f, inf, 0f, 1f, nan]);
        Check(VectorMath.Tanh, x, [nan, 1f, -1f, 0f, -0f, 1f, -1f, 1e-45f, nan]);
        Check(VectorMath.Sigmoid, x, [nan, 1f, 0f, 0.5f, 0.5f, 1f, 3.7200760e-44f, 0.5f, nan]);
        Check(VectorMath.Softplus, x, [nan, inf, 0f, MathF.Log(2f), MathF.Log(2f), 100f, 3.7200760e-44f, MathF.Log(2f), nan]);
        Check(VectorMath.Relu, x, [nan, inf, 0f, 0f, 0f, 100f, 0f, 1e-45f, nan]);
        float[] logInputs = [nan, inf, -1f, 0f, -0f, 1f, -inf, 1e-45f, nan];
        Check(VectorMath.Log, logInputs, [nan, inf, nan, -inf, -inf, 0f, nan, -103.27893f, nan]);
        Check(VectorMath.Log1p, [nan, inf, -1f, 0f, -0f, -2f, -inf, 1e-45f, nan], [nan, inf, -inf, 0f, -0f, nan, nan, 1e-45f, nan]);
    }

    private static void Check(Kernel kernel, float[] x, float[] expected)
    {
        var y = new float[x.Length];
        kernel(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            bool ok = float.IsNaN(expected[i]) ? float.IsNaN(y[i])
                : y[i] == expected[i] || Math.Abs(y[i] - expected[i]) <= 1e-6f * Math.Max(1f, Math.Abs(expected[i]));
            Assert.True(ok, $"f({x[i]}) = {y[i]}, expected {expected[i]}");
        }
    }

    [Fact]
    public void VectorPathIsTheOneUnderTestOnThisMachine()
    {
        // Documents which path the sweeps above exercised; both are checked either way.
        output.WriteLine($"Vector256 accelerated: {Vector256.IsHardwareAccelerated}");
        var x = Sweep(-3, 3, 64);
        var vector = new float[64];
        VectorMath.Tanh(x, vector);
        for (int i = 0; i < 64; i++) Assert.True(Math.Abs(vector[i] - Scalar<TanhOperator>(x[i])) < 3e-7f);
    }
}
