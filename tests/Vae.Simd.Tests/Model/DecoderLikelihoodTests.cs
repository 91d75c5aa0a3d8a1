using Vae.Simd.Autodiff;
using Vae.Simd.Checkpoints;
using Vae.Simd.Model;
using Vae.Simd.Tensors;
using Vae.Simd.Training;

namespace Vae.Simd.Tests.Model;

/// <summary>The decoder likelihoods beyond the Bernoulli: the Gaussian's variance modes and floor, and the continuous Bernoulli.</summary>
public class DecoderLikelihoodTests
{
    // The references evaluate the paper's formulas in its own variable λ, in double, with λ and 1 − λ each computed
    // directly (σ(l), σ(−l)) so that neither 1 − 2λ nor artanh(1 − 2λ) = ½ log((1 − λ)/λ) is formed by cancelling 1 − λ.

    /// <summary>log C(λ) = log(2 artanh(1 − 2λ) / (1 − 2λ)).</summary>
    private static double ReferenceLogNormalizer(double l)
    {
        double lambda = 1 / (1 + Math.Exp(-l)), complement = 1 / (1 + Math.Exp(l)), t = complement - lambda;
        return t == 0 ? Math.Log(2) : Math.Log((Math.Log(complement) - Math.Log(lambda)) / t);
    }

    /// <summary>d log C / dl = (d log C / dλ)·λ(1 − λ) = −1 / (2 artanh t) + 2λ(1 − λ) / t, t = 1 − 2λ.</summary>
    private static double ReferenceLogNormalizerDerivative(double l)
    {
        double lambda = 1 / (1 + Math.Exp(-l)), complement = 1 / (1 + Math.Exp(l)), t = complement - lambda;
        return -1 / (Math.Log(complement) - Math.Log(lambda)) + 2 * lambda * complement / t;
    }

    public static TheoryData<double> Logits() => new() { 0, 1e-6, -1e-4, 1e-3, -0.01, 0.1, -0.3, 0.4999, 0.5, -0.5001, 0.75, -1, 2.5, -5, 12, -30, 80 };

    [Theory]
    [MemberData(nameof(Logits))]
    public void ContinuousBernoulliLogNormalizerInFloatMatchesADoubleReference(double logit)
    {
        double reference = ReferenceLogNormalizer(logit);
        float value = ContinuousBernoulliLogLikelihoodOp.LogNormalizer((float)logit);
        // float rounding of the logit itself moves log C by |C′/C|·ulp(l), far below this bound.
        Assert.True(Math.Abs(value - reference) <= 3e-7 * Math.Max(1, Math.Abs(reference)), $"l={logit}: float {value} vs double {reference}");
    }

    [Theory]
    [MemberData(nameof(Logits))]
    public void ContinuousBernoulliLogNormalizerDerivativeInFloatMatchesADoubleReference(double logit)
    {
        // The λ-form reference cancels as badly as the closed form near λ = ½: below |l| = 1e-3 its own error
        // (~1e-16 / l²) would dominate, so there the reference is the limit l/6 (next term 7l³/360).
        double reference = Math.Abs(logit) < 1e-3 ? logit / 6 : ReferenceLogNormalizerDerivative(logit);
        float value = ContinuousBernoulliLogLikelihoodOp.LogNormalizerDerivative((float)logit);
        Assert.True(Math.Abs(value - reference) <= 2e-6 * Math.Max(Math.Abs(reference), 1e-3) + 1e-12, $"l={logit}: float {value} vs double {reference}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-5)]
    [InlineData(0.3)]
    [InlineData(-2.0)]
    [InlineData(7.0)]
    public void ContinuousBernoulliDensityIntegratesToOneAndHasItsMean(double logit)
    {
        // ∫₀¹ p(x | l) dx = 1 by Simpson's rule on the op's own double log-density; E[x] matches the decoder's mean.
        const int Intervals = 2000;
        var tape = new Tape<double>(recordGradients: false);
        Var l = tape.Input(Enumerable.Repeat(logit, Intervals + 1).ToArray(), TensorShape.Matrix(Intervals + 1, 1));
        Var x = tape.Input(Enumerable.Range(0, Intervals + 1).Select(i => i / (double)Intervals).ToArray(), TensorShape.Matrix(Intervals + 1, 1));
        ReadOnlySpan<double> logDensity = tape.Value(tape.ContinuousBernoulliLogLikelihood(l, x));
        double mass = 0, mean = 0;
        for (int i = 0; i <= Intervals; i++)
        {
            double w = (i == 0 || i == Intervals ? 1 : i % 2 == 1 ? 4 : 2) / (3.0 * Intervals), p = Math.Exp(logDensity[i]);
            mass += w * p;
            mean += w * p * i / Intervals;
        }
        Assert.Equal(1.0, mass, 1e-9);
        Assert.Equal(mean, ContinuousBernoulliLogLikelihoodOp.Mean((float)logit), 1e-6);
    }

    [Fact]
    public void TheVarianceFloorBoundsTheGaussianDensityWhereTheFitIsExact()
    {
        // x = μ and a learned log variance heading to −∞: unfloored the density diverges; floored at m, each entry gives −½ log(2π(m + e^v)).
        const double Floor = 1e-3;
        var tape = new Tape<double>(recordGradients: false);
        double[] values = [0.2, 0.7, 0.0];
        Var x = tape.Input(values, TensorShape.Matrix(1, 3)), mean = tape.Input(values, TensorShape.Matrix(1, 3));
        Var logVariance = tape.Input([-40.0, -3.0, 1.0], TensorShape.Matrix(1, 3));
        double floored = tape.Value(tape.GaussianLogLikelihood(x, mean, tape.LogAddExp(logVariance, Math.Log(Floor))))[0];
        double expected = new[] { -40.0, -3.0, 1.0 }.Sum(v => -0.5 * Math.Log(2 * Math.PI * (Floor + Math.Exp(v))));
        Assert.Equal(expected, floored, 1e-12);
        Assert.True(tape.Value(tape.GaussianLogLikelihood(x, mean, logVariance))[0] > expected + 15, "without the floor the density should be far larger");
    }

    public static TheoryData<Likelihood, GaussianVariance> Decoders() => new()
    {
        { Likelihood.Gaussian, GaussianVariance.PerPixel },
        { Likelihood.Gaussian, GaussianVariance.Shared },
        { Likelihood.Gaussian, GaussianVariance.Fixed },
        { Likelihood.ContinuousBernoulli, GaussianVariance.PerPixel },
    };

    [Theory]
    [MemberData(nameof(Decoders))]
    public void CheckpointsRoundTripEveryDecoder(Likelihood likelihood, GaussianVariance variance)
    {
        var config = new VaeConfig { InputSize = 6, HiddenSizes = [4], LatentSize = 2, Likelihood = likelihood, GaussianVariance = variance, MinVariance = 0.02f, FixedVariance = 0.3f };
        using var model = new VariationalAutoencoder(config, 5);
        string path = Path.Combine(TestData.TempFolder(), "m.vae");
        ModelCheckpoint.Save(path, model);
        using var loaded = ModelCheckpoint.Load(path);
        Assert.Equal(config, loaded.Config);
        Assert.Equal(model.Parameters.ToArray(), loaded.Parameters.ToArray());
        float[] x = Enumerable.Range(0, 12).Select(i => i / 12f).ToArray(), a = new float[2], b = new float[2];
        model.Elbo(x, a, seed: 3);
        loaded.Elbo(x, b, seed: 3);
        Assert.Equal(a, b);
    }

    [Fact]
    public void ACheckpointFromBeforeTheVarianceOptionsIsAnUnflooredPerPixelGaussian()
    {
        VaeConfig old = ModelCheckpoint.ParseConfig("input=6\nhidden=4\nactivation=Relu\nlatent=2\nlikelihood=Gaussian\ninit=UniformFanIn", "old.vae");
        Assert.Equal(GaussianVariance.PerPixel, old.GaussianVariance);
        Assert.Equal(0f, old.MinVariance);
        Assert.Equal(new VaeConfig(), ModelCheckpoint.ParseConfig(ModelCheckpoint.FormatConfig(new VaeConfig()), "new.vae"));
    }

    [Fact]
    public void TheLayoutNamesEveryDecoderHead()
    {
        VaeConfig gaussian = new() { InputSize = 6, HiddenSizes = [4, 3], LatentSize = 2, Likelihood = Likelihood.Gaussian };
        var perPixel = new ParameterLayout(gaussian);
        Assert.Equal("decoder.logvar", perPixel.OutputLogVariance!.Name);
        Assert.Null(perPixel.SharedLogVariance);
        var shared = new ParameterLayout(gaussian with { GaussianVariance = GaussianVariance.Shared });
        Assert.Null(shared.OutputLogVariance);
        Assert.Equal(1, shared.SharedLogVariance!.Value.Length);
        Assert.Equal(shared.TotalLength - 1, shared.SharedLogVariance.Value.Offset);
        var fixedVariance = new ParameterLayout(gaussian with { GaussianVariance = GaussianVariance.Fixed });
        Assert.Equal(shared.TotalLength - 1, fixedVariance.TotalLength);
        Assert.Equal("decoder.logits", new ParameterLayout(gaussian with { Likelihood = Likelihood.ContinuousBernoulli }).Output.Name);
        // The named layers chain: each layer's input is the previous one's output, and together they cover the buffer.
        Assert.Equal([6, 4, 3, 3, 2, 3, 4, 4], perPixel.Layers.Select(l => l.Inputs));
        Assert.Equal(perPixel.TotalLength, perPixel.Slices.Sum(s => (long)s.Length));
    }

    [Fact]
    public void AGaussianDecoderOnBinarisedDataIsRefused()
    {
        var config = new VaeConfig { InputSize = 784, Likelihood = Likelihood.Gaussian };
        var options = new TrainerOptions { Binarization = new Vae.Simd.Data.Binarization(Vae.Simd.Data.BinarizationMode.Dynamic) };
        var e = Assert.Throws<ArgumentException>(() => Trainer.RequireCompatible(config, options));
        Assert.Contains("binarised", e.Message);
        Trainer.RequireCompatible(config, new TrainerOptions());
    }

    [Theory]
    [InlineData(GaussianVariance.PerPixel)]
    [InlineData(GaussianVariance.Shared)]
    [InlineData(GaussianVariance.Fixed)]
    public void AGaussianModelOnMnistIntensitiesImprovesEveryEpoch(GaussianVariance variance)
    {
        // Issue #16: unfloored, the test "ELBO" of a per-pixel Gaussian jumped by hundreds of nats between epochs.
        Vae.Simd.Data.DataSplit mnist = TestData.Mnist;
        var train = mnist.Train.Take(2000);
        var test = mnist.Test.Take(500);
        using var model = new VariationalAutoencoder(new VaeConfig { HiddenSizes = [32], LatentSize = 8, Likelihood = Likelihood.Gaussian, GaussianVariance = variance }, 1);
        var trainer = new Trainer(model, train, new TrainerOptions { Seed = 1, Threads = 2 });
        var curve = new List<double>();
        for (int epoch = 0; epoch < 5; epoch++)
        {
            trainer.RunEpoch();
            curve.Add(Evaluator.Elbo(model, test, threads: 2));
        }
        for (int i = 1; i < curve.Count; i++)
            Assert.True(curve[i] > curve[i - 1], $"test ELBO fell at epoch {i + 1}: {string.Join(", ", curve.Select(v => v.ToString("F2")))}");
    }
}
