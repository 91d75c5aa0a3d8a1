using Vae.Simd.Autodiff;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Interop.Tests;

/// <summary>Models of every architecture the CLI can train, real MNIST rows shipped with the tests, and comparisons.</summary>
internal static class TestModels
{
    /// <summary>Every activation the CLI trains (all but None), every likelihood, 1 to 3 hidden layers.</summary>
    public static IEnumerable<object[]> Architectures() =>
        from activation in Enum.GetValues<Activation>().Where(a => a != Activation.None)
        from likelihood in Enum.GetValues<Likelihood>()
        from layers in new[] { 1, 2, 3 }
        select new object[] { activation, likelihood, layers };

    /// <summary>A small model with odd sizes, random weights and (unlike a fresh model) random non-zero biases.</summary>
    public static VariationalAutoencoder Random(Activation activation, Likelihood likelihood, int layers, ulong seed)
    {
        int[] widths = [.. new[] { 17, 9, 6 }.Take(layers)];
        var config = new VaeConfig { InputSize = 23, HiddenSizes = widths, LatentSize = 5, Activation = activation, Likelihood = likelihood };
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

    /// <summary>The decoder's raw heads in double precision, from the parameters alone: Bernoulli logits, or the Gaussian's mean and log variance.</summary>
    public static (double[] First, double[]? LogVariance) DecoderHeads(VariationalAutoencoder model, ReadOnlySpan<float> z, int rows)
    {
        var layers = new ModelLayers(model.Config, model.Layout);
        double[] h = Array.ConvertAll(z.ToArray(), v => (double)v);
        foreach (LinearLayer layer in layers.DecoderHidden) h = Affine(model, layer, h, rows);
        double[] first = Affine(model, layers.DecoderOutput, h, rows);
        return (first, layers.DecoderLogVariance is { } lv ? Affine(model, lv, h, rows) : null);
    }

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

    public static string TempFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "vae-simd-interop-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
