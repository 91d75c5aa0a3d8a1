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

    /// <summary>log(1 + e^−|l|) in double, by its series where e^−|l| is tiny (log(1 + u) rounds to 0 there).</summary>
    private static double Log1pExp(float l)
    {
        double u = Math.Exp(-Math.Abs((double)l));
        return u < 1e-4 ? u - u * u / 2 + u * u * u / 3 : Math.Log(1 + u);
    }

    /// <summary>x·l − softplus(l) in double, as x·l − max(l, 0) − log(1 + e^−|l|).</summary>
    private static double Term(float l, float x) => (x * (double)l - Math.Max(l, 0)) - Log1pExp(l);

    /// <summary>
    /// Runs each (logit, target) pair alone in a row of <paramref name="columns"/> at column <c>i mod columns</c>, the rest of
    /// the row filled with l = 200, x = 1, whose term is exactly 0: the row's sum is then that one term, as computed in the
    /// vector body or the tail, whichever holds that column.
    /// </summary>
    private static float[] Terms(float[] logits, float[] targets, int columns)
    {
        int rows = logits.Length;
        float[] l = new float[rows * columns], x = new float[rows * columns], terms = new float[rows];
        Array.Fill(l, 200f);
        Array.Fill(x, 1f);
        for (int r = 0; r < rows; r++)
        {
            l[r * columns + r % columns] = logits[r];
            x[r * columns + r % columns] = targets[r];
        }
        LossKernels.BernoulliLogLikelihood(l, x, rows, columns, terms);
        return terms;
    }

    /// <summary>
    /// Each term within 3 units of 2⁻²⁴ of the magnitudes it is made of, |x·l| + max(l, 0) + log(1 + e^−|l|) (plus half the
    /// subnormal spacing where the term underflows): two roundings of x·l − max(l, 0), the log1p's ≈ 2 units and the last
    /// subtraction. Logits up to ±110 reach e^−|l| in the subnormals and beyond; targets are MNIST's k/255 and 0 or 1.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(39)]
    [InlineData(64 + 5)]
    public void EveryTermIsWithinThreeUnitsOfItsDoubleReferenceInTheBodyAndTheTail(int columns)
    {
        const int Count = 20_000;
        var random = new Random(columns);
        float[] logits = new float[Count], targets = new float[Count];
        for (int i = 0; i < Count; i++)
        {
            double range = (i % 4) switch { 0 => 2, 1 => 8, 2 => 30, _ => 110 };
            logits[i] = (float)((random.NextDouble() * 2 - 1) * range);
            targets[i] = i % 3 == 0 ? random.Next(2) : random.Next(256) / 255f;
        }
        float[] terms = Terms(logits, targets, columns);
        for (int i = 0; i < Count; i++)
        {
            float l = logits[i], x = targets[i];
            double magnitude = Math.Abs(x * (double)l) + Math.Max(l, 0) + Log1pExp(l);
            double tolerance = 3 * Unit * magnitude + Math.ScaleB(1, -150);
            Assert.True(Math.Abs(terms[i] - Term(l, x)) <= tolerance, $"l = {l:R}, x = {x:R}, column {i % columns}: {terms[i]:R} vs {Term(l, x):R} ± {tolerance}");
        }
    }

    /// <summary>
    /// The limits the kernel has always had (its term is x·l − softplus(l) evaluated in floats): NaN stays NaN; l = +∞
    /// gives ∞ − ∞ = NaN for every x; l = −∞ gives −∞, or 0·∞ = NaN at x = 0; l = ±0 gives −log 2; far beyond the
    /// exponent range the term is x·l − max(l, 0) exactly (e^−|l| is 0).
    /// </summary>
    [Fact]
    public void SpecialLogitsGiveTheLimitsTheyAlwaysHad()
    {
        float nan = float.NaN, inf = float.PositiveInfinity;
        (float L, float X, float Expected)[] cases =
        [
            (nan, 0f, nan), (nan, 1f, nan), (0.5f, nan, nan),
            (inf, 0f, nan), (inf, 0.5f, nan), (inf, 1f, nan),
            (-inf, 0f, nan), (-inf, 0.5f, -inf), (-inf, 1f, -inf),
            (0f, 0f, -MathF.Log(2f)), (-0f, 1f, -MathF.Log(2f)), (-0f, 0.5f, -MathF.Log(2f)),
            (200f, 0f, -200f), (200f, 1f, 0f), (-200f, 1f, -200f), (-200f, 0f, 0f), (3e38f, 0.5f, -1.5e38f), (-3e38f, 0.5f, -1.5e38f),
        ];
        foreach (int columns in new[] { 1, 16, 21 })
        {
            float[] terms = Terms([.. cases.Select(c => c.L)], [.. cases.Select(c => c.X)], columns);
            for (int i = 0; i < cases.Length; i++)
                Assert.True(float.IsNaN(cases[i].Expected) ? float.IsNaN(terms[i]) : terms[i] == cases[i].Expected,
                    $"l = {cases[i].L:R}, x = {cases[i].X:R}, column {i % columns}: {terms[i]:R}, expected {cases[i].Expected:R}");
        }
    }

    public static TheoryData<int, bool> WidthsAndModes()
    {
        var data = new TheoryData<int, bool>();
        foreach (int width in new[] { 1, 7, 8, 9, 16, 23, 24, 31, 64 + 5, 97, 784 })
        {
            data.Add(width, true);
            data.Add(width, false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsAndModes))]
    public void BernoulliLogLikelihoodGradientMatchesItsDoubleTwinAddingOrWriting(int width, bool add)
    {
        const int Rows = 3;
        (float[] logits, float[] targets) = Draw(Rows, width);
        float[] upstream = [0.75f, -1.5f, 2f];
        var random = new Random(width);
        // Old contents: added to when adding, ignored (not read, not kept) when writing.
        float[] gradient = Enumerable.Range(0, Rows * width).Select(_ => (float)(random.NextDouble() - 0.5) * (add ? 1 : 1e30f)).ToArray();
        float[] before = (float[])gradient.Clone();
        LossKernels.BernoulliLogLikelihoodGradient(logits, targets, Rows, width, upstream, gradient, add);
        for (int i = 0; i < gradient.Length; i++)
        {
            double sigmoid = 1 / (1 + Math.Exp(-(double)logits[i]));
            double start = add ? before[i] : 0;
            double expected = start + upstream[i / width] * (targets[i] - sigmoid);
            double tolerance = 8 * Unit * (Math.Abs(start) + Math.Abs(upstream[i / width]) * (Math.Abs(targets[i]) + sigmoid));
            Assert.True(Math.Abs(gradient[i] - expected) <= tolerance, $"entry {i} (column {i % width}), width {width}, add {add}: {gradient[i]} vs {expected} ± {tolerance}");
        }
    }
}
