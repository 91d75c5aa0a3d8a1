using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Autodiff;
using Vae.Simd.Model;
using Vae.Simd.Randomness;

namespace Vae.Simd.Tests.Model;

/// <summary>Wake-sleep's two phases: each loss against finite differences, and each reaching only its own network.</summary>
public class WakeSleepTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<Likelihood, Activation, GaussianVariance, float, bool> Setups() => new()
    {
        { Likelihood.Bernoulli, Activation.Tanh, GaussianVariance.PerPixel, 0f, true },
        { Likelihood.Bernoulli, Activation.Relu, GaussianVariance.PerPixel, 0f, false },
        { Likelihood.Gaussian, Activation.Tanh, GaussianVariance.PerPixel, 0.3f, true },
        { Likelihood.Gaussian, Activation.Relu, GaussianVariance.Shared, 0f, false },
        { Likelihood.ContinuousBernoulli, Activation.Tanh, GaussianVariance.PerPixel, 0f, true },
    };

    /// <summary>
    /// The wake loss −(1/M) Σ log p_θ(x, z) with z as data, and the sleep loss −(1/M) Σ log q_φ(z|x) with a dream (x, z)
    /// as data, for every parameter tensor: each phase's gradient, zero for the other network's parameters, is checked.
    /// </summary>
    [Theory]
    [MemberData(nameof(Setups))]
    public void EachPhaseLossGradientMatchesFiniteDifferences(Likelihood likelihood, Activation activation, GaussianVariance variance, float minVariance, bool wake)
    {
        int kinks = 0, entries = 0;
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var c = RandomVaeCase.Draw(likelihood, activation, variance, minVariance, seed);
            c.AddConstant("z", c.Rows, c.Config.LatentSize);
            (GradCheckReport report, int checkedEntries) = c.Check((graph, tape, data) => VaeGraph<double>.Loss(tape,
                wake ? graph.WakeLogJoint(tape, data[0], data[1]).LogJoint : graph.SleepLogPosterior(tape, data[0], data[1]), c.Rows + 1),
                $"seed {seed}, {(wake ? "wake" : "sleep")}");
            // The other network's entries are checked too, and must be zero.
            foreach (GradCheckInputReport input in report.Inputs)
                if (input.Name.StartsWith(wake ? "encoder." : "decoder.", StringComparison.Ordinal))
                    Assert.Equal(0, input.WorstAnalytic);
            kinks += report.KinkCount;
            entries += checkedEntries;
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(12));
        Assert.True(kinks <= entries / 100, $"{kinks} of {entries} entries were at a kink");
        output.WriteLine($"{(wake ? "wake" : "sleep")} {likelihood}/{activation}: {entries} entries, {kinks} at a kink");
    }

    private static (float[] Gradient, float Loss, float[] Elbo) Phase(VariationalAutoencoder model, bool wake, int rows, ulong seed = 3)
    {
        var tape = new Tape<float>();
        var graph = new VaeGraph<float>(model.Config, model.Layout);
        var gradient = new float[model.Parameters.Length];
        Var x = graph.Begin(tape, model.ParameterArray, gradient, rows);
        var random = new Random(5);
        foreach (ref float v in tape.Value(x)) v = random.Next(2);
        var elbo = new float[rows];
        Var loss;
        if (wake)
        {
            loss = graph.WakePhase(tape, x, Estimator.Analytic, new NoiseSource(seed, RandomPurpose.Noise, 1, default), rows, out ElboTerms terms);
            terms.PerExample(tape, elbo);
        }
        else loss = graph.SleepPhase(tape, rows, new NoiseSource(seed, RandomPurpose.SleepLatent, 1, default), rows);
        tape.Backward(loss);
        return (gradient, tape.Scalar(loss), elbo);
    }

    public static TheoryData<Likelihood> Likelihoods() => [Likelihood.Bernoulli, Likelihood.Gaussian, Likelihood.ContinuousBernoulli];

    /// <summary>The training step's phases as built (z from the frozen encoder, dreams from the frozen decoder): the wake phase's gradient is exactly zero for every encoder parameter, the sleep phase's for every decoder parameter, and neither is zero for its own network.</summary>
    [Theory]
    [MemberData(nameof(Likelihoods))]
    public void EachPhaseSendsNoGradientToTheOtherNetwork(Likelihood likelihood)
    {
        using var model = new VariationalAutoencoder(new VaeConfig { InputSize = 9, HiddenSizes = [7, 5], LatentSize = 3, Likelihood = likelihood }, 8);
        foreach (bool wake in new[] { true, false })
        {
            float[] gradient = Phase(model, wake, 6).Gradient;
            foreach (ParameterSlice s in model.Layout.Slices)
            {
                bool own = s.Name.StartsWith(wake ? "decoder." : "encoder.", StringComparison.Ordinal);
                ReadOnlySpan<float> g = gradient.AsSpan(s.Offset, s.Length);
                if (!own) Assert.True(g.IndexOfAnyExcept(0f) < 0, $"{(wake ? "wake" : "sleep")}: {s.Name} received a gradient");
                else if (s.Name.EndsWith(".weight", StringComparison.Ordinal)) Assert.True(g.IndexOfAnyExcept(0f) >= 0, $"{(wake ? "wake" : "sleep")}: {s.Name} received none");
            }
        }
    }

    /// <summary>The wake phase reports the ELBO of the current model the standard way: the trainer's analytic-KL ELBO with the same noise.</summary>
    [Fact]
    public void TheWakePhaseReportsTheStandardElbo()
    {
        using var model = new VariationalAutoencoder(new VaeConfig { InputSize = 9, HiddenSizes = [7], LatentSize = 3 }, 8);
        var tape = new Tape<float>();
        var graph = new VaeGraph<float>(model.Config, model.Layout);
        Var x = graph.Begin(tape, model.ParameterArray, new float[model.Parameters.Length], 6);
        var random = new Random(5);
        foreach (ref float v in tape.Value(x)) v = random.Next(2);
        var expected = new float[6];
        graph.Elbo(tape, x, Estimator.Analytic, 1, new NoiseSource(3, RandomPurpose.Noise, 1, default)).PerExample(tape, expected);
        Assert.Equal(expected, Phase(model, wake: true, 6).Elbo);
    }

    /// <summary>Dreams from the continuous Bernoulli: its quantile inverts the CDF (e^{lx} − 1)/(e^l − 1), in double, across logits from −60 to 60.</summary>
    [Fact]
    public void TheContinuousBernoulliQuantileInvertsItsCdf()
    {
        foreach (float l in new[] { -60f, -7.5f, -1f, -1e-3f, 0f, 2e-5f, 0.4f, 3f, 60f })
            foreach (float u in new[] { 0f, 0.001f, 0.25f, 0.5f, 0.9f, 0.999f })
            {
                double x = ContinuousBernoulliLogLikelihoodOp.Quantile(l, u);
                double cdf = Math.Abs(l) < 1e-6 ? x : double.ExpM1(l * x) / double.ExpM1(l);
                Assert.True(x is >= 0 and <= 1, $"l {l}, u {u}: x {x}");
                Assert.True(Math.Abs(cdf - u) < 2e-4, $"l {l}, u {u}: F(x) = {cdf}");
            }
    }
}
