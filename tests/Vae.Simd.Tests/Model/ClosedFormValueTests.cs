using System.Numerics;
using Vae.Simd.Autodiff;
using Vae.Simd.Tensors;

namespace Vae.Simd.Tests.Model;

/// <summary>
/// The closed forms the model relies on, checked by VALUE against textbook formulas in double: a gradient
/// check cannot see a forward that is wrong consistently with its backward. Each runs on the float tape
/// (the SIMD kernels training uses) and on the double tape (the one GradCheck uses), at widths that run the
/// vector loops several times and leave a tail.
/// </summary>
public class ClosedFormValueTests
{
    /// <summary>Row widths: below one vector, exactly one and two, several full vectors plus a tail (for 4-, 8- and 16-float vectors), MNIST's.</summary>
    public static TheoryData<int> Widths() => [1, 3, 8, 16, 29, 67, 97, 784];

    private const double Unit = 1.0 / (1 << 24); // float's unit roundoff

    /// <summary>Runs <paramref name="op"/> on a fresh tape of <typeparamref name="T"/> holding <paramref name="inputs"/> as constants; the output as doubles.</summary>
    private static double[] Run<T>(Func<Tape<T>, Var[], Var> op, params (double[] Values, TensorShape Shape)[] inputs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tape = new Tape<T>(recordGradients: false);
        Var[] vars = inputs.Select(i => tape.Input(i.Values.Select(T.CreateChecked).ToArray(), i.Shape)).ToArray();
        Var y = op(tape, vars);
        return tape.Value(y).ToArray().Select(double.CreateChecked).ToArray();
    }

    private static double[] Draw(Random random, int length, double low, double high) =>
        Enumerable.Range(0, length).Select(_ => low + (high - low) * random.NextDouble()).ToArray();

    /// <summary>
    /// |actual − expected| within a rounding bound: <paramref name="ulps"/> units of roundoff of the element's
    /// type per unit of <paramref name="magnitude"/> (Σ|terms|, so a sum of n terms carries n + a few).
    /// </summary>
    private static void Close(double expected, double actual, double magnitude, double ulps, bool isFloat, string what)
    {
        double unit = isFloat ? Unit : Math.Pow(2, -53);
        double tolerance = ulps * unit * magnitude + 1e-300;
        if (!(Math.Abs(actual - expected) <= tolerance))
            throw new Xunit.Sdk.XunitException($"{what}: {actual:R} vs reference {expected:R} (difference {Math.Abs(actual - expected):E2} > {tolerance:E2})");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void KlOfADiagonalGaussianFromTheStandardNormalIsTheTextbookFormula(int width)
    {
        var random = new Random(width);
        const int Rows = 3;
        double[] mean = Draw(random, Rows * width, -3, 3), logVariance = Draw(random, Rows * width, -6, 4);
        var shape = TensorShape.Matrix(Rows, width);
        foreach (bool isFloat in new[] { true, false })
        {
            double[] kl = isFloat
                ? Run<float>((t, v) => t.KlStandardNormal(v[0], v[1]), (mean, shape), (logVariance, shape))
                : Run<double>((t, v) => t.KlStandardNormal(v[0], v[1]), (mean, shape), (logVariance, shape));
            for (int r = 0; r < Rows; r++)
            {
                double expected = 0, magnitude = 0;
                for (int c = r * width; c < (r + 1) * width; c++)
                {
                    // KL(N(μ, σ²) ‖ N(0, 1)) = ½(μ² + σ² − 1 − log σ²), element by element.
                    double m = isFloat ? (float)mean[c] : mean[c], v = isFloat ? (float)logVariance[c] : logVariance[c];
                    double variance = Math.Exp(v);
                    expected += 0.5 * (m * m + variance - 1 - Math.Log(variance));
                    magnitude += 0.5 * (m * m + variance + 1 + Math.Abs(v));
                }
                Close(expected, kl[r], magnitude, width + 8, isFloat, $"KL row {r}, width {width}, {(isFloat ? "float" : "double")}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void BernoulliLogLikelihoodIsXLogPPlusOneMinusXLogOneMinusP(int width)
    {
        var random = new Random(100 + width);
        const int Rows = 3;
        // Logits up to ±30 (σ within 1e-13 of 0 or 1), including the extremes exactly; grey and binary targets.
        double[] logits = Draw(random, Rows * width, -30, 30), targets = Draw(random, Rows * width, 0, 1);
        logits[0] = 30;
        if (logits.Length > 1) logits[^1] = -30;
        for (int i = 0; i < targets.Length; i += 3) targets[i] = Math.Round(targets[i]);
        var shape = TensorShape.Matrix(Rows, width);
        foreach (bool isFloat in new[] { true, false })
        {
            double[] logLikelihood = isFloat
                ? Run<float>((t, v) => t.BernoulliLogLikelihood(v[0], v[1]), (logits, shape), (targets, shape))
                : Run<double>((t, v) => t.BernoulliLogLikelihood(v[0], v[1]), (logits, shape), (targets, shape));
            for (int r = 0; r < Rows; r++)
            {
                double expected = 0, magnitude = 0;
                for (int c = r * width; c < (r + 1) * width; c++)
                {
                    double l = isFloat ? (float)logits[c] : logits[c], x = isFloat ? (float)targets[c] : targets[c];
                    // log σ(l) and log(1 − σ(l)) = log σ(−l), each evaluated where it does not cancel.
                    double logP = LogSigmoid(l), logNotP = LogSigmoid(-l);
                    expected += x * logP + (1 - x) * logNotP;
                    magnitude += Math.Abs(x * logP) + Math.Abs((1 - x) * logNotP) + Math.Abs(x * l);
                }
                Close(expected, logLikelihood[r], magnitude, width + 8, isFloat, $"Bernoulli row {r}, width {width}, {(isFloat ? "float" : "double")}");
            }
        }
    }

    private static double LogSigmoid(double l) => l >= 0 ? -Math.Log(1 + Math.Exp(-l)) : l - Math.Log(1 + Math.Exp(l));

    [Theory]
    [MemberData(nameof(Widths))]
    public void GaussianLogLikelihoodIsTheDiagonalNormalLogDensity(int width)
    {
        var random = new Random(200 + width);
        const int Rows = 2;
        double[] x = Draw(random, Rows * width, -2, 2), mean = Draw(random, Rows * width, -2, 2), logVariance = Draw(random, Rows * width, -5, 3);
        var shape = TensorShape.Matrix(Rows, width);
        foreach (bool isFloat in new[] { true, false })
        {
            double[] logDensity = isFloat
                ? Run<float>((t, v) => t.GaussianLogLikelihood(v[0], v[1], v[2]), (x, shape), (mean, shape), (logVariance, shape))
                : Run<double>((t, v) => t.GaussianLogLikelihood(v[0], v[1], v[2]), (x, shape), (mean, shape), (logVariance, shape));
            for (int r = 0; r < Rows; r++)
            {
                double expected = 0, magnitude = 0;
                for (int c = r * width; c < (r + 1) * width; c++)
                {
                    double xv = isFloat ? (float)x[c] : x[c], m = isFloat ? (float)mean[c] : mean[c], v = isFloat ? (float)logVariance[c] : logVariance[c];
                    double sigma = Math.Sqrt(Math.Exp(v)), d = (xv - m) / sigma;
                    // log N(x; μ, σ²) = −log σ − ½ log 2π − ½((x − μ)/σ)².
                    expected += -Math.Log(sigma) - 0.5 * Math.Log(2 * Math.PI) - 0.5 * d * d;
                    magnitude += Math.Abs(Math.Log(sigma)) + 0.5 * Math.Log(2 * Math.PI) + 0.5 * d * d;
                }
                Close(expected, logDensity[r], magnitude, width + 8, isFloat, $"Gaussian row {r}, width {width}, {(isFloat ? "float" : "double")}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void StandardNormalLogDensityIsMinusHalfLogTwoPiMinusHalfZSquared(int width)
    {
        var random = new Random(300 + width);
        double[] z = Draw(random, 2 * width, -4, 4);
        var shape = TensorShape.Matrix(2, width);
        foreach (bool isFloat in new[] { true, false })
        {
            double[] logDensity = isFloat ? Run<float>((t, v) => t.StandardNormalLogDensity(v[0]), (z, shape)) : Run<double>((t, v) => t.StandardNormalLogDensity(v[0]), (z, shape));
            for (int r = 0; r < 2; r++)
            {
                double expected = 0, magnitude = 0;
                for (int c = r * width; c < (r + 1) * width; c++)
                {
                    double zv = isFloat ? (float)z[c] : z[c];
                    expected += Math.Log(Math.Exp(-0.5 * zv * zv) / Math.Sqrt(2 * Math.PI));
                    magnitude += 1 + zv * zv;
                }
                Close(expected, logDensity[r], magnitude, width + 8, isFloat, $"log N(z; 0, I) row {r}, width {width}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void ReparameterizedSampleIsMeanPlusStandardDeviationTimesNoise(int width)
    {
        var random = new Random(400 + width);
        double[] mean = Draw(random, 2 * width, -3, 3), logVariance = Draw(random, 2 * width, -8, 4), noise = Draw(random, 2 * width, -3, 3);
        var shape = TensorShape.Matrix(2, width);
        foreach (bool isFloat in new[] { true, false })
        {
            double[] z = isFloat
                ? Run<float>((t, v) => t.Reparameterize(v[0], v[1], v[2]), (mean, shape), (logVariance, shape), (noise, shape))
                : Run<double>((t, v) => t.Reparameterize(v[0], v[1], v[2]), (mean, shape), (logVariance, shape), (noise, shape));
            for (int i = 0; i < z.Length; i++)
            {
                double m = isFloat ? (float)mean[i] : mean[i], v = isFloat ? (float)logVariance[i] : logVariance[i], e = isFloat ? (float)noise[i] : noise[i];
                double standardDeviation = Math.Sqrt(Math.Exp(v));
                Close(m + standardDeviation * e, z[i], Math.Abs(m) + Math.Abs(standardDeviation * e), 8, isFloat, $"z[{i}], width {width}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void RowLogSumExpIsTheLogOfTheSumOfExponentials(int width)
    {
        var random = new Random(500 + width);
        double[] x = Draw(random, 2 * width, -40, 40);
        var shape = TensorShape.Matrix(2, width);
        foreach (bool isFloat in new[] { true, false })
        {
            double[] y = isFloat ? Run<float>((t, v) => t.RowLogSumExp(v[0]), (x, shape)) : Run<double>((t, v) => t.RowLogSumExp(v[0]), (x, shape));
            for (int r = 0; r < 2; r++)
            {
                double[] row = x[(r * width)..((r + 1) * width)].Select(v => isFloat ? (double)(float)v : v).ToArray();
                double max = row.Max(), expected = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
                Close(expected, y[r], Math.Abs(max) + Math.Log(width) + 1, width + 8, isFloat, $"log-sum-exp row {r}, width {width}");
            }
        }
    }
}
