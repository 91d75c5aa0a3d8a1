using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Autodiff;
using Vae.Simd.Model;
using Vae.Simd.Randomness;
using Vae.Simd.Tensors;

namespace Vae.Simd.Tests.Model;

/// <summary>The importance-weighted bound (Burda et al.): its gradient against finite differences, and the values it must take.</summary>
public class ImportanceWeightedBoundTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<Likelihood, Activation, GaussianVariance, float> Setups() => new()
    {
        { Likelihood.Bernoulli, Activation.Tanh, GaussianVariance.PerPixel, 0f },
        { Likelihood.Bernoulli, Activation.Relu, GaussianVariance.PerPixel, 0f },
        { Likelihood.Gaussian, Activation.Tanh, GaussianVariance.PerPixel, 0f },
        { Likelihood.Gaussian, Activation.Relu, GaussianVariance.Shared, 0.3f },
        { Likelihood.ContinuousBernoulli, Activation.Tanh, GaussianVariance.PerPixel, 0f },
    };

    /// <summary>The loss −(1/M) Σ_rows log (1/k) Σ_j w_j for k = 1, 2, 3 or 5, for every parameter tensor, kinks handled as for the ELBO.</summary>
    [Theory]
    [MemberData(nameof(Setups))]
    public void BoundGradientMatchesFiniteDifferencesForEveryParameter(Likelihood likelihood, Activation activation, GaussianVariance variance, float minVariance)
    {
        int kinks = 0, reduced = 0, entries = 0;
        var ks = new HashSet<int>();
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var c = RandomVaeCase.Draw(likelihood, activation, variance, minVariance, seed);
            int k = new[] { 1, 2, 3, 5 }[c.Random.Next(4)];
            ks.Add(k);
            c.AddConstant("eps", c.Rows * k, c.Config.LatentSize);
            (GradCheckReport report, int checkedEntries) = c.Check((graph, tape, data) =>
                VaeGraph<double>.Loss(tape, graph.ImportanceWeightedBound(tape, data[0], data[1], k), c.Rows + 1), $"seed {seed}, k={k}");
            kinks += report.KinkCount;
            reduced += report.ReducedStepCount;
            entries += checkedEntries;
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(12));
        Assert.True(kinks <= entries / 100, $"{kinks} of {entries} entries were at a kink");
        Assert.True(ks.Count >= 2, "the property drew a single k");
        output.WriteLine($"{likelihood}/{activation}: {entries} entries, k in {{{string.Join(',', ks.Order())}}}, {reduced} with a smaller step, {kinks} at a kink (skipped)");
    }

    /// <summary>
    /// The same property's power: the bound's gradient with 1 % added to its largest entry of one parameter tensor
    /// (for k &gt; 1, where the weights differ) is rejected — the log-mean-exp's softmax weighting wrong in one place shows.
    /// </summary>
    [Fact]
    public void GradCheckRejectsTheBoundsGradientOffByOnePercentInOneEntry()
    {
        int faulted = 0;
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var c = RandomVaeCase.Draw(Likelihood.Bernoulli, Activation.Tanh, GaussianVariance.PerPixel, 0f, seed);
            int k = 2 + c.Random.Next(3), input = c.Random.Next(c.ParameterCount);
            c.AddConstant("eps", c.Rows * k, c.Config.LatentSize);
            int parameterCount = c.ParameterCount;
            GradCheckFunction f = (tape, v) =>
            {
                var graph = new VaeGraph<double>(c.Config, c.Layout);
                graph.Bind(tape, v.Take(parameterCount).ToArray());
                return VaeGraph<double>.Loss(tape, graph.ImportanceWeightedBound(tape, v[parameterCount], v[parameterCount + 1], k), c.Rows);
            };
            int entry = -1;
            GradCheckReport report = GradCheck.Check(f, c.Inputs, new GradCheckOptions(), analytic =>
            {
                double[] g = analytic[input];
                entry = Array.IndexOf(g, g.MaxBy(Math.Abs));
                if (Math.Abs(g[entry]) >= 1e-3) g[entry] *= 1.01;
                else entry = -1;
            });
            if (entry < 0) return true;
            faulted++;
            if (report.Inputs[input].Passed) throw new Xunit.Sdk.XunitException($"seed {seed}: a 1% error at entry {entry} of {c.Inputs[input].Name} went unnoticed: {report}");
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(40));
        Assert.True(faulted >= 20, $"only {faulted} of 40 cases had a gradient large enough to fault");
    }

    private static readonly VaeConfig Small = new() { InputSize = 12, HiddenSizes = [10, 8], Activation = Activation.Tanh, LatentSize = 3 };

    private static float[] BinaryRows(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        // Two prototypes with flipped pixels: data with structure for the latent to explain.
        return Enumerable.Range(0, rows * columns).Select(i => (float)(((i / columns) % 2 == 0 ? i % columns < columns / 2 : i % 3 == 0) ^ (random.NextDouble() < 0.1) ? 1 : 0)).ToArray();
    }

    /// <summary>Per-row bound and gradients of a float training graph: IWAE with k, or the Monte Carlo ELBO with one sample.</summary>
    private static (float[] Bound, float Loss, float[] Gradient) Run(VariationalAutoencoder model, float[] x, int rows, int? k, ulong seed = 5)
    {
        var tape = new Tape<float>();
        var graph = new VaeGraph<float>(model.Config, model.Layout);
        var gradient = new float[model.Parameters.Length];
        Var xv = graph.Begin(tape, model.ParameterArray, gradient, rows);
        x.CopyTo(tape.Value(xv));
        var noise = new NoiseSource(seed, RandomPurpose.Noise, 3, default, 100);
        var bound = new float[rows];
        Var loss;
        if (k is int samples)
        {
            Var b = graph.ImportanceWeightedBound(tape, xv, samples, noise);
            loss = VaeGraph<float>.Loss(tape, b, rows);
            tape.Value(b).CopyTo(bound);
        }
        else
        {
            ElboTerms terms = graph.Elbo(tape, xv, Estimator.MonteCarlo, 1, noise);
            loss = VaeGraph<float>.Loss(tape, terms, 1f, rows);
            terms.PerExample(tape, bound);
        }
        tape.Backward(loss);
        return (bound, tape.Scalar(loss), gradient);
    }

    [Fact]
    public void OneSampleIsTheMonteCarloElboBitForBitWithTheSameGradient()
    {
        using var model = new VariationalAutoencoder(Small, 2);
        float[] x = BinaryRows(7, Small.InputSize, 1);
        (float[] iwae, float iwaeLoss, float[] iwaeGradient) = Run(model, x, 7, k: 1);
        (float[] elbo, float elboLoss, float[] elboGradient) = Run(model, x, 7, k: null);
        Assert.Equal(elbo, iwae);
        Assert.Equal(elboLoss, iwaeLoss);
        Assert.Equal(elboGradient, iwaeGradient);
        Assert.Contains(elboGradient, g => g != 0f);
        // Another seed draws other noise, so the equality above is not that of a constant.
        Assert.NotEqual(elbo, Run(model, x, 7, k: 1, seed: 6).Bound);
    }

    /// <summary>
    /// E[bound_k] rises with k (Burda et al., Theorem 1) and k = 1 is the ELBO: on a fixed model, averaged over
    /// 600 rows, each larger k must score higher. A bound computed with one weight per row, or the mean taken
    /// outside the log, scores the ELBO for every k and fails.
    /// </summary>
    [Fact]
    public void TheBoundRisesWithKAboveTheElboOnAverage()
    {
        using var model = new VariationalAutoencoder(Small with { HiddenSizes = [10] }, 4);
        // A decoder with something to say and an encoder that is a poor proposal: the regime where k matters.
        var random = new Random(4);
        foreach (ref float p in model.Parameters) p = (float)(random.NextDouble() * 2 - 1) * 1.5f;
        int rows = 600;
        float[] x = BinaryRows(rows, Small.InputSize, 2);
        double elbo = Run(model, x, rows, k: null).Bound.Average(v => (double)v);
        double previous = elbo;
        var means = new List<double>();
        foreach (int k in new[] { 1, 4, 16, 64 })
        {
            double mean = Run(model, x, rows, k).Bound.Average(v => (double)v);
            means.Add(mean);
            if (k == 1) Assert.Equal(elbo, mean);
            else Assert.True(mean > previous + 0.01, $"k = {k}: mean bound {mean} does not exceed {previous} (k smaller) by 0.01 nats");
            previous = mean;
        }
        output.WriteLine($"ELBO {elbo:F4}; IWAE k=1,4,16,64: {string.Join(", ", means.Select(m => m.ToString("F4")))}");
    }

    /// <summary>
    /// The log-mean-exp of the bound (row log-sum-exp over a reshaped vector, less log k) at magnitudes where exp
    /// underflows float and double alike (−9,000 nats ± 40) matches a double reference computed around the maximum.
    /// </summary>
    [Fact]
    public void LogMeanExpMatchesADoubleReferenceAtLargeMagnitudes()
    {
        var random = new Random(11);
        foreach ((int rows, int k) in new[] { (1, 1), (3, 7), (5, 50), (2, 333) })
        {
            double[] w = Enumerable.Range(0, rows * k).Select(i => (i / k % 2 == 0 ? -9000 : 9000) + (random.NextDouble() * 2 - 1) * 40).ToArray();
            var tape = new Tape<float>();
            Var weights = tape.Input(w.Select(v => (float)v).ToArray(), TensorShape.Vector(rows * k));
            Var logSum = tape.RowLogSumExp(tape.Reshape(weights, TensorShape.Matrix(rows, k)));
            for (int r = 0; r < rows; r++)
            {
                double[] row = w.Skip(r * k).Take(k).Select(v => (double)(float)v).ToArray();
                double max = row.Max();
                double reference = max + Math.Log(row.Sum(v => Math.Exp(v - max))) - Math.Log(k);
                double got = tape.Value(logSum)[r] - Math.Log(k);
                Assert.True(double.IsFinite(got), $"rows {rows}, k {k}: row {r} is {got}");
                Assert.True(Math.Abs(got - reference) <= 4 * Math.Abs(reference) * 6e-8 + 1e-6, $"rows {rows}, k {k}, row {r}: {got} vs {reference}");
            }
            Assert.Equal(double.NegativeInfinity, Math.Log(w.Take(k).Sum(v => Math.Exp(v)) / k)); // the naive form would have lost it
        }
    }
}
