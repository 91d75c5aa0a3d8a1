using Vae.Simd.Autodiff;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Tests;
using Vae.Simd.Training;

namespace Vae.Simd.Interop.Tests;

/// <summary>Models of every architecture the CLI can train, real MNIST rows shipped with the tests, and comparisons.</summary>
internal static class TestModels
{
    /// <summary>
    /// Every activation the CLI trains (all but None), every likelihood it trains (Bernoulli, continuous Bernoulli, and
    /// the Gaussian with each variance mode), 1 to 3 hidden layers.
    /// </summary>
    public static IEnumerable<object[]> Architectures() =>
        from activation in Enum.GetValues<Activation>().Where(a => a != Activation.None)
        from decoder in Decoders()
        from layers in new[] { 1, 2, 3 }
        select new object[] { activation, decoder.Likelihood, decoder.Variance, layers };

    /// <summary>Every decoder the CLI trains: each likelihood, and each variance mode of the Gaussian (PerPixel is ignored by the others).</summary>
    public static IEnumerable<(Likelihood Likelihood, GaussianVariance Variance)> Decoders() =>
        from likelihood in Enum.GetValues<Likelihood>()
        from variance in likelihood == Likelihood.Gaussian ? Enum.GetValues<GaussianVariance>() : [GaussianVariance.PerPixel]
        select (likelihood, variance);

    /// <summary>A small model with odd sizes, random weights and (unlike a fresh model) random non-zero biases.</summary>
    public static VariationalAutoencoder Random(Activation activation, Likelihood likelihood, int layers, ulong seed, GaussianVariance variance = GaussianVariance.PerPixel, float minVariance = VaeConfig.DefaultMinVariance)
    {
        int[] widths = [.. new[] { 17, 9, 6 }.Take(layers)];
        var config = new VaeConfig
        {
            InputSize = 23, HiddenSizes = widths, LatentSize = 5, Activation = activation, Likelihood = likelihood,
            GaussianVariance = variance, MinVariance = minVariance, FixedVariance = 0.037f,
        };
        var model = new VariationalAutoencoder(config, seed);
        var random = new Random((int)seed);
        Span<float> p = model.Parameters;
        for (int i = 0; i < p.Length; i++) p[i] = (float)(random.NextDouble() * 2 - 1) * 0.8f;
        return model;
    }

    /// <summary>Uniform values in [lo, hi), seeded.</summary>
    public static float[] Uniform(int count, int seed, float lo = 0, float hi = 1)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++) values[i] = lo + (float)random.NextDouble() * (hi - lo);
        return values;
    }

    /// <summary>
    /// The first 32 MNIST test images (data/mnist-test-32.npy, uint8, cut from t10k-images-idx3-ubyte; MNIST by
    /// Y. LeCun, C. Cortes and C. Burges, CC BY-SA 3.0), scaled to [0, 1]. Shipped so the tests need no download.
    /// </summary>
    public static float[] MnistRows()
    {
        (float[] values, int rows, int columns) = NpyFile.Read(Path.Combine(AppContext.BaseDirectory, "data", "mnist-test-32.npy"));
        Assert.Equal((32, 784), (rows, columns));
        for (int i = 0; i < values.Length; i++) values[i] /= 255f;
        return values;
    }

    /// <summary>The default 784-400-20 model (PyTorch example), trained for a few steps on the shipped MNIST rows, so its weights are not a fresh init's.</summary>
    public static VariationalAutoencoder TrainedOnMnist(VaeConfig config)
    {
        float[] rows = MnistRows();
        var model = new VariationalAutoencoder(config, seed: 3);
        var trainer = new Trainer(model, new DenseDataset(rows, 32, 784, "mnist-test-32"), new TrainerOptions { BatchSize = 8, ShardSize = 8, Threads = 1, Seed = 3, LearningRate = 1e-2f });
        for (int epoch = 0; epoch < 3; epoch++) trainer.RunEpoch();
        return model;
    }

    /// <summary>
    /// max |actual − expected| / max |expected|: the error relative to the output's scale (an element-wise
    /// ratio is meaningless for outputs that cancel to near zero).
    /// </summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(float.IsFinite(actual[i]), $"element {i} is {actual[i]}");
            worst = Math.Max(worst, Math.Abs((double)actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs((double)expected[i]));
        }
        return scale == 0 ? worst : worst / scale;
    }

    /// <summary>
    /// The decoder's heads in double precision, from the parameters and the configuration alone: logits (Bernoulli,
    /// continuous Bernoulli), or the Gaussian's mean and log variance [rows × input] — the per-pixel head, the shared
    /// value or log of the fixed σ², a learned one floored as log(σ²_min + e^v).
    /// </summary>
    public static (double[] First, double[]? LogVariance) DecoderHeads(VariationalAutoencoder model, ReadOnlySpan<float> z, int rows)
    {
        VaeConfig config = model.Config;
        var layers = new ModelLayers(config, model.Layout);
        double[] h = Array.ConvertAll(z.ToArray(), v => (double)v);
        foreach (LinearLayer layer in layers.DecoderHidden) h = Affine(model, layer, h, rows);
        double[] first = Affine(model, layers.DecoderOutput, h, rows);
        if (config.Likelihood != Likelihood.Gaussian) return (first, null);
        double[] logVariance = config.GaussianVariance switch
        {
            GaussianVariance.PerPixel => Affine(model, layers.DecoderLogVariance!.Value, h, rows),
            GaussianVariance.Shared => Enumerable.Repeat((double)model.Parameters[model.Layout["decoder.shared_logvar"].Offset], first.Length).ToArray(),
            _ => Enumerable.Repeat(Math.Log(config.FixedVariance), first.Length).ToArray(),
        };
        double floor = config.MinVariance;
        if (config.GaussianVariance != GaussianVariance.Fixed && floor > 0)
            for (int i = 0; i < logVariance.Length; i++) logVariance[i] = Math.Log(floor + Math.Exp(logVariance[i]));
        return (first, logVariance);
    }

    /// <summary>The continuous Bernoulli's mean E[x] = λ/(2λ − 1) + 1/(2 artanh(1 − 2λ)), λ = σ(l), in double from its textbook form (½ at λ = ½).</summary>
    public static double ContinuousBernoulliMean(double logit)
    {
        double lambda = 1 / (1 + Math.Exp(-logit));
        if (Math.Abs(logit) < 1e-4) return 0.5 + logit / 12; // the limit's first terms, where the textbook form is 0/0
        return lambda / (2 * lambda - 1) + 1 / (2 * Math.Atanh(1 - 2 * lambda));
    }

    /// <summary>σ(l) in double.</summary>
    public static double Sigmoid(double logit) => 1 / (1 + Math.Exp(-logit));

    private static double[] Affine(VariationalAutoencoder model, LinearLayer layer, double[] x, int rows)
    {
        ReadOnlySpan<float> p = model.Parameters;
        var y = new double[rows * layer.Outputs];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < layer.Outputs; o++)
            {
                double sum = p[layer.Bias.Offset + o];
                for (int i = 0; i < layer.Inputs; i++) sum += x[r * layer.Inputs + i] * (double)p[layer.Weight.Offset + o * layer.Inputs + i];
                y[r * layer.Outputs + o] = layer.Activation switch
                {
                    Activation.Relu => Math.Max(0, sum),
                    Activation.Tanh => Math.Tanh(sum),
                    _ => sum,
                };
            }
        return y;
    }

    public static float[] ToFloats(double[] values) => Array.ConvertAll(values, v => (float)v);

    /// <summary>A new empty folder, inside this test run's own temporary folder, which is deleted when the run's process exits.</summary>
    public static string TempFolder() => TemporaryFolders.Create("vae-simd-interop-");
}
