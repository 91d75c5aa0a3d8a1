using Vae.Simd.Kernels;

namespace Vae.Simd.Tests.Kernels;

/// <summary>
/// The fused Bernoulli kernels against their double twins, at widths that run the vector body several
/// times and leave a tail of every length, with logits up to ±30: an error in the vector body alone, or in
/// the tail alone, shows.
/// </summary>
public class LossKernelsTests
{
    public static TheoryData<int> Widths() => [1, 7, 8, 9, 16, 23, 24, 31, 64 + 5, 97, 784];

    private const double Unit = 1.0 / (1 << 24);

    private static (float[] Logits, float[] Targets) Draw(int rows, int width)
    {
        var random = new Random(width * 7 + rows);
        float[] logits = Enumerable.Range(0, rows * width).Select(_ => (float)((random.NextDouble() * 2 - 1) * (random.Next(3) == 0 ? 30 : 5))).ToArray();
        float[] targets = Enumerable.Range(0, rows * width).Select(i => i % 3 == 0 ? random.Next(2) : (float)random.NextDouble()).ToArray();
        logits[0] = 30f;
        logits[^1] = -30f;
        return (logits, targets);
    }

    /// <summary>softplus(l) = log(1 + eˡ) in double, without overflow or cancellation.</summary>
    private static double Softplus(double l) => Math.Max(l, 0) + Math.Log(1 + Math.Exp(-Math.Abs(l)));

    [Theory]
    [MemberData(nameof(Widths))]
    public void BernoulliLogLikelihoodMatchesItsDoubleTwin(int width)
    {
        const int Rows = 3;
        (float[] logits, float[] targets) = Draw(Rows, width);
        float[] result = new float[Rows];
        LossKernels.BernoulliLogLikelihood(logits, targets, Rows, width, result);
        for (int r = 0; r < Rows; r++)
        {
            double expected = 0, magnitude = 0;
            for (int c = r * width; c < (r + 1) * width; c++)
            {
                double term = targets[c] * (double)logits[c] - Softplus(logits[c]);
                expected += term;
                magnitude += Math.Abs(targets[c] * (double)logits[c]) + Softplus(logits[c]);
            }
            // Per term a few roundings (the softplus kernel is within 3e-7 ≈ 5 units), then a sum of `width` terms.
            double tolerance = (width + 8) * Unit * magnitude;
            Assert.True(Math.Abs(result[r] - expected) <= tolerance, $"row {r}, width {width}: {result[r]} vs {expected} ± {tolerance}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void BernoulliLogLikelihoodGradientMatchesItsDoubleTwinAndAccumulates(int width)
    {
        const int Rows = 3;
        (float[] logits, float[] targets) = Draw(Rows, width);
        float[] upstream = [0.75f, -1.5f, 2f];
        var random = new Random(width);
        float[] gradient = Enumerable.Range(0, Rows * width).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] before = (float[])gradient.Clone();
        LossKernels.BernoulliLogLikelihoodGradient(logits, targets, Rows, width, upstream, gradient);
        for (int i = 0; i < gradient.Length; i++)
        {
            double sigmoid = 1 / (1 + Math.Exp(-(double)logits[i]));
            double expected = before[i] + upstream[i / width] * (targets[i] - sigmoid);
            double tolerance = 8 * Unit * (Math.Abs(before[i]) + Math.Abs(upstream[i / width]) * (Math.Abs(targets[i]) + sigmoid));
            Assert.True(Math.Abs(gradient[i] - expected) <= tolerance, $"entry {i} (column {i % width}), width {width}: {gradient[i]} vs {expected} ± {tolerance}");
        }
    }
}
