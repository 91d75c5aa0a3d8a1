using Vae.Simd.Model;

namespace Vae.Simd.Tests.Model;

/// <summary>
/// With a one-dimensional latent, log p(x) = log ∫ p(x|z) N(z; 0, 1) dz can be computed by quadrature;
/// the estimators must agree with it: the importance-weighted estimate converges to it, the ELBO stays below.
/// </summary>
public class LikelihoodEstimatorTests
{
    private static (VariationalAutoencoder Model, float[] X) TinyModel(int seed)
    {
        var config = new VaeConfig { InputSize = 6, HiddenSizes = [5], LatentSize = 1, Activation = Vae.Simd.Autodiff.Activation.Tanh };
        var model = new VariationalAutoencoder(config, (ulong)seed);
        var random = new Random(seed);
        Span<float> p = model.Parameters;
        for (int i = 0; i < p.Length; i++) p[i] = (float)(random.NextDouble() * 2 - 1) * 1.5f; // an interesting, non-trivial decoder
        // A broad proposal q(z|x) (σ² ≈ e, mean near 0), so 5000 importance samples cover the posterior;
        // a random, narrow q far from it would make any finite K look wrong.
        ParameterSlice meanWeight = model.Layout["encoder.mean.weight"], logVarWeight = model.Layout["encoder.logvar.weight"], logVarBias = model.Layout["encoder.logvar.bias"];
        foreach (ref float v in p.Slice(meanWeight.Offset, meanWeight.Length)) v *= 0.2f;
        p.Slice(logVarWeight.Offset, logVarWeight.Length).Clear();
        p.Slice(logVarBias.Offset, logVarBias.Length).Fill(1f);
        float[] x = Enumerable.Range(0, 6).Select(_ => random.Next(2) == 0 ? 0f : 1f).ToArray();
        return (model, x);
    }

    private static double QuadratureLogLikelihood(VariationalAutoencoder model, float[] x)
    {
        const int Points = 8001;
        const double Low = -10, High = 10, Step = (High - Low) / (Points - 1);
        var z = new float[Points];
        for (int i = 0; i < Points; i++) z[i] = (float)(Low + i * Step);
        var probabilities = new float[Points * x.Length];
        model.Decode(z, probabilities);
        double max = double.NegativeInfinity;
        var logIntegrand = new double[Points];
        for (int i = 0; i < Points; i++)
        {
            double logPxz = 0;
            for (int d = 0; d < x.Length; d++)
            {
                double q = Math.Clamp(probabilities[i * x.Length + d], 1e-12, 1 - 1e-12);
                logPxz += x[d] * Math.Log(q) + (1 - x[d]) * Math.Log(1 - q);
            }
            logIntegrand[i] = logPxz - 0.5 * (Math.Log(2 * Math.PI) + z[i] * (double)z[i]);
            max = Math.Max(max, logIntegrand[i]);
        }
        double sum = 0;
        for (int i = 0; i < Points; i++) sum += (i == 0 || i == Points - 1 ? 0.5 : 1) * Math.Exp(logIntegrand[i] - max);
        return max + Math.Log(sum * Step);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ImportanceWeightedEstimateConvergesToQuadratureAndElboStaysBelow(int seed)
    {
        (VariationalAutoencoder model, float[] x) = TinyModel(seed);
        double exact = QuadratureLogLikelihood(model, x);

        var result = new float[1];
        model.LogLikelihood(x, 5000, result, seed: 11);
        double iw5000 = result[0];
        model.LogLikelihood(x, 1, result, seed: 11);

        // The mean of many single-sample estimates is the ELBO (with analytic KL in Elbo()).
        double elboSum = 0, iw1Sum = 0;
        const int Repeats = 400;
        var one = new float[1];
        for (int r = 0; r < Repeats; r++)
        {
            model.Elbo(x, one, samples: 1, seed: (ulong)r);
            elboSum += one[0];
            model.LogLikelihood(x, 1, one, seed: (ulong)(1000 + r));
            iw1Sum += one[0];
        }
        double elbo = elboSum / Repeats, iw1 = iw1Sum / Repeats;

        Assert.True(Math.Abs(iw5000 - exact) < 0.02, $"IW(5000) {iw5000} vs quadrature {exact}");
        Assert.True(elbo < exact + 0.05, $"ELBO {elbo} should not exceed log p(x) {exact}");
        Assert.True(iw1 < iw5000 + 0.02, $"IW(1) {iw1} should be below IW(5000) {iw5000}");
        Assert.True(Math.Abs(iw1 - elbo) < 0.3, $"IW(1) {iw1} and the ELBO {elbo} estimate the same bound");
    }
}
