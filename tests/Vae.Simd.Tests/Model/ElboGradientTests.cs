using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Autodiff;
using Vae.Simd.Model;
using Vae.Simd.Tensors;

namespace Vae.Simd.Tests.Model;

/// <summary>The whole VAE objective against finite differences, for every parameter tensor.</summary>
public class ElboGradientTests
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
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
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
            if (!report.Passed) throw new Xunit.Sdk.XunitException($"{config}, {rows} rows, L={samples}: {report}");
            Assert.Equal(parameterCount, report.Inputs.Count);
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(15));
    }
}
