using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Autodiff;
using Vae.Simd.Model;
using Vae.Simd.Tensors;

namespace Vae.Simd.Tests.Model;

/// <summary>The whole VAE objective against finite differences, for every parameter tensor.</summary>
public class ElboGradientTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<Likelihood, Estimator, Activation, GaussianVariance, float> Setups() => new()
    {
        { Likelihood.Bernoulli, Estimator.Analytic, Activation.Tanh, GaussianVariance.PerPixel, 0f },
        { Likelihood.Bernoulli, Estimator.MonteCarlo, Activation.Relu, GaussianVariance.PerPixel, 0f },
        { Likelihood.Gaussian, Estimator.Analytic, Activation.Relu, GaussianVariance.PerPixel, 0f },
        { Likelihood.Gaussian, Estimator.MonteCarlo, Activation.Tanh, GaussianVariance.PerPixel, 0f },
        // The variance floor and the other variance modes (a floor of 0.3 is active at the drawn log variances).
        { Likelihood.Gaussian, Estimator.Analytic, Activation.Tanh, GaussianVariance.PerPixel, 0.3f },
        { Likelihood.Gaussian, Estimator.Analytic, Activation.Relu, GaussianVariance.Shared, 0.3f },
        { Likelihood.Gaussian, Estimator.MonteCarlo, Activation.Tanh, GaussianVariance.Shared, 0f },
        { Likelihood.Gaussian, Estimator.Analytic, Activation.Tanh, GaussianVariance.Fixed, 0.3f },
        { Likelihood.ContinuousBernoulli, Estimator.Analytic, Activation.Tanh, GaussianVariance.PerPixel, 0f },
        { Likelihood.ContinuousBernoulli, Estimator.MonteCarlo, Activation.Relu, GaussianVariance.PerPixel, 0f },
    };

    [Theory]
    [MemberData(nameof(Setups))]
    public void FullElboGradientMatchesFiniteDifferencesForEveryParameter(Likelihood likelihood, Estimator estimator, Activation activation, GaussianVariance variance, float minVariance)
    {
        int kinks = 0, reduced = 0, entries = 0;
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            (GradCheckReport report, int checkedEntries) = CheckCase(likelihood, estimator, activation, variance, minVariance, seed);
            if (report.KinkCount + report.ReducedStepCount > 0) output.WriteLine($"seed {seed}: {report}");
            kinks += report.KinkCount;
            reduced += report.ReducedStepCount;
            entries += checkedEntries;
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(int.Parse(Environment.GetEnvironmentVariable("ELBO_CASES") ?? "15")));
        // With ReLU some finite differences straddle a kink: GradCheck re-checks those entries with a smaller
        // step, and skips (and reports) only those that still straddle one. They must stay rare.
        Assert.True(kinks <= entries / 100, $"{kinks} of {entries} entries were at a kink");
        output.WriteLine($"{likelihood}/{estimator}/{activation}: {entries} entries, {reduced} checked with a smaller step to stay off a kink, {kinks} at a kink (skipped)");
    }

    /// <summary>
    /// A case found by running the property 2,000 times: ReLU pre-activations within the default step of 0,
    /// so four central differences straddle a kink (the kind of case behind issue #10's 1–2 % flaky runs);
    /// GradCheck re-checks those four entries with a smaller step.
    /// </summary>
    [Fact]
    public void ACaseWhoseStepStraddlesAReluKinkIsCheckedWithASmallerStepAndPasses()
    {
        (GradCheckReport report, _) = CheckCase(Likelihood.Gaussian, Estimator.Analytic, Activation.Relu, GaussianVariance.PerPixel, 0f, 443961261);
        Assert.True(report.ReducedStepCount > 0, report.ToString());
        Assert.Equal(0, report.KinkCount);
        output.WriteLine(report.ToString());
    }

    /// <summary>One random model, batch and noise drawn from <paramref name="seed"/>; the GradCheck of its loss for every parameter tensor (throws when it fails).</summary>
    private static (GradCheckReport Report, int Entries) CheckCase(Likelihood likelihood, Estimator estimator, Activation activation, GaussianVariance variance, float minVariance, int seed)
    {
        var random = new Random(seed);
        var config = new VaeConfig
        {
            InputSize = random.Next(2, 7),
            HiddenSizes = random.Next(2) == 0 ? [random.Next(2, 6)] : [random.Next(2, 5), random.Next(2, 5)],
            Activation = activation,
            LatentSize = random.Next(1, 4),
            Likelihood = likelihood,
            GaussianVariance = variance,
            MinVariance = minVariance,
            FixedVariance = 0.2f,
        };
        int rows = random.Next(1, 4), samples = random.Next(1, 3);
        var model = new VariationalAutoencoder(config, (ulong)seed);
        var layout = model.Layout;
        var inputs = new List<GradCheckInput>();
        foreach (ParameterSlice s in layout.Slices)
        {
            // Random biases too, so no gradient is checked only at zero.
            double[] values = model.Parameters.Slice(s.Offset, s.Length).ToArray().Select(v => (double)v + (random.NextDouble() - 0.5) * 0.3).ToArray();
            inputs.Add(new GradCheckInput(s.Name, values, s.Shape));
        }
        double[] x = Enumerable.Range(0, rows * config.InputSize).Select(_ => likelihood != Likelihood.Gaussian ? random.NextDouble() : random.NextDouble() * 2 - 1).ToArray();
        inputs.Add(new GradCheckInput("x", x, TensorShape.Matrix(rows, config.InputSize), Differentiable: false));
        for (int l = 0; l < samples; l++)
            inputs.Add(new GradCheckInput($"eps{l}", Enumerable.Range(0, rows * config.LatentSize).Select(_ => random.NextDouble() * 2 - 1).ToArray(),
                TensorShape.Matrix(rows, config.LatentSize), Differentiable: false));
        int parameterCount = layout.Slices.Count;
        GradCheckFunction loss = (tape, v) =>
        {
            var graph = new VaeGraph<double>(config, layout);
            graph.Bind(tape, v.Take(parameterCount).ToArray());
            ElboTerms terms = graph.Elbo(tape, v[parameterCount], estimator, v.Skip(parameterCount + 1).ToArray());
            return VaeGraph<double>.Loss(tape, terms, 0.7, rows + 1);
        };
        GradCheckReport report = GradCheck.Check(loss, inputs);
        if (!report.Passed) throw new Xunit.Sdk.XunitException($"seed {seed}: {config}, {rows} rows, L={samples}: {report}");
        Assert.Equal(parameterCount, report.Inputs.Count);
        return (report, inputs.Where(i => i.Differentiable).Sum(i => i.Values.Length));
    }
}
