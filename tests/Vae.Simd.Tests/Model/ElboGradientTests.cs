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
        var c = RandomVaeCase.Draw(likelihood, activation, variance, minVariance, seed);
        for (int l = 0; l < c.Samples; l++) c.AddConstant($"eps{l}", c.Rows, c.Config.LatentSize);
        return c.Check((graph, tape, data) =>
        {
            ElboTerms terms = graph.Elbo(tape, data[0], estimator, data.Skip(1).ToArray());
            return VaeGraph<double>.Loss(tape, terms, 0.7, c.Rows + 1);
        }, $"seed {seed}, L={c.Samples}");
    }
}
