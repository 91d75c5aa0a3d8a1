using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vae.Simd.Autodiff;
using Vae.Simd.Checkpoints;
using Vae.Simd.Data;
using Vae.Simd.Interop.Safetensors;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Tests.Model;

/// <summary>
/// <c>Encode</c> on the transposed encoder copies (<see cref="TransposedEncoder"/>): bit for bit the graph's
/// batch results on random architectures and batch sizes, and still so after the parameters change in every
/// way they can (training steps, writes through <see cref="VariationalAutoencoder.Parameters"/>,
/// re-initialisation, loading weights, checkpoints).
/// </summary>
public class TransposedEncoderTests
{
    /// <summary>An architecture, a batch size and the share of exact zeros in the images.</summary>
    public sealed record Case(int Input, int[] Hidden, Activation Activation, int Latent, int Rows, double Zeros, int Seed)
    {
        public override string ToString() => $"{Input}-[{string.Join(',', Hidden)}]-{Latent} {Activation}, {Rows} rows, {Zeros:P0} zeros, seed {Seed}";
    }

    public static Arbitrary<Case> Cases() =>
        (from input in Gen.OneOf(Gen.Choose(1, 40), Gen.Choose(500, 900))
         from layers in Gen.Choose(1, 2)
         from hidden in Gen.ArrayOf(Gen.Choose(1, 90), layers)
         from activation in Gen.Elements(Activation.Relu, Activation.Tanh)
         from latent in Gen.Choose(1, 13)
         from rows in Gen.OneOf(Gen.Choose(1, 4), Gen.Choose(30, 70))
         from zeros in Gen.Elements(0.0, 0.81, 1.0)
         from seed in Gen.Choose(0, 1_000_000)
         select new Case(input, hidden, activation, latent, rows, zeros, seed)).ToArbitrary();

    [Property(MaxTest = 25, Arbitrary = [typeof(TransposedEncoderTests)])]
    public void SingleImagesAndBatchesGiveTheGraphsBitsOnRandomShapes(Case c)
    {
        var config = new VaeConfig { InputSize = c.Input, HiddenSizes = c.Hidden, Activation = c.Activation, LatentSize = c.Latent };
        using var model = new VariationalAutoencoder(config, (ulong)c.Seed);
        var random = new Random(c.Seed);
        Span<float> biases = model.Parameters; // non-zero biases, so the bias pass is exercised
        foreach (ParameterSlice s in model.Layout.Slices)
            if (s.Shape.Rank == 1) for (int i = 0; i < s.Length; i++) biases[s.Offset + i] = (float)(random.NextDouble() - 0.5);
        float[] x = Images(c.Rows, c.Input, c.Zeros, random);

        (float[] mean, float[] logVariance) = Graph(model, x, c.Rows);
        float[] batchMean = new float[c.Rows * c.Latent], batchLogVariance = new float[c.Rows * c.Latent];
        model.Encode(x, batchMean, batchLogVariance);
        AssertBitwiseEqual(mean, batchMean, $"batch mean, {c}");
        AssertBitwiseEqual(logVariance, batchLogVariance, $"batch log variance, {c}");
        for (int r = 0; r < c.Rows; r++)
        {
            float[] m = new float[c.Latent], v = new float[c.Latent];
            model.Encode(x.AsSpan(r * c.Input, c.Input), m, v);
            AssertBitwiseEqual(mean.AsSpan(r * c.Latent, c.Latent).ToArray(), m, $"row {r}'s mean alone, {c}");
            AssertBitwiseEqual(logVariance.AsSpan(r * c.Latent, c.Latent).ToArray(), v, $"row {r}'s log variance alone, {c}");
        }
    }

    [Fact]
    public void EncodeFollowsEveryChangeOfTheParameters()
    {
        var config = new VaeConfig { InputSize = 61, HiddenSizes = [23, 9], LatentSize = 3 };
        using var model = new VariationalAutoencoder(config, 1);
        float[] x = Images(8, 61, 0.81, new Random(2));
        AssertCurrent(model, x, "new model");
        int w0 = model.Layout.EncoderHidden[0].Weight.Offset, meanBias = model.Layout.Mean.Bias.Offset;

        // Training steps (the optimizer writes the buffer).
        var data = new DenseDataset(Images(40, 61, 0.81, new Random(3)), 40, 61, "images");
        var trainer = new Trainer(model, data, new TrainerOptions { BatchSize = 10, Seed = 4, Threads = 2 });
        trainer.RunEpoch();
        AssertCurrent(model, x, "after an epoch of training");

        // Writes through Parameters: one weight of the first layer, a head's bias, a whole span.
        model.Parameters[w0 + 5] += 0.75f;
        AssertCurrent(model, x, "after a first-layer weight was written");
        model.Parameters[meanBias] -= 1.5f;
        AssertCurrent(model, x, "after a bias was written");
        Span<float> all = model.Parameters;
        for (int i = 0; i < all.Length; i++) all[i] *= 0.5f;
        AssertCurrent(model, x, "after every parameter was halved through one span");

        // Re-initialisation, loading weights into this model, a checkpoint of it.
        model.Initialize(7);
        AssertCurrent(model, x, "after Initialize");
        string dir = Directory.CreateTempSubdirectory("vae-transposed-").FullName;
        try
        {
            using (var other = new VariationalAutoencoder(config, 8))
            {
                SafetensorsModel.Write(other, Path.Combine(dir, "other.safetensors"));
                SafetensorsModel.LoadParameters(Path.Combine(dir, "other.safetensors"), model);
                AssertCurrent(model, x, "after LoadParameters");
                (float[] expected, _) = Graph(other, x, 8);
                float[] actual = new float[8 * 3];
                model.Encode(x, actual, new float[8 * 3]);
                AssertBitwiseEqual(expected, actual, "the loaded model against its source");
            }
            ModelCheckpoint.Save(Path.Combine(dir, "m.ckpt"), model);
            using VariationalAutoencoder loaded = ModelCheckpoint.Load(Path.Combine(dir, "m.ckpt"));
            AssertCurrent(loaded, x, "a loaded checkpoint");
            float[] a = new float[8 * 3], b = new float[8 * 3];
            model.Encode(x, a, new float[8 * 3]);
            loaded.Encode(x, b, new float[8 * 3]);
            AssertBitwiseEqual(a, b, "a checkpoint against its model");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void CopiesAreRebuiltOnlyAfterAPossibleChange()
    {
        using var model = new VariationalAutoencoder(new VaeConfig { InputSize = 20, HiddenSizes = [8], LatentSize = 2 }, 1);
        float[] x = Images(3, 20, 0.5, new Random(1)), mean = new float[6], logVariance = new float[6];
        TransposedEncoder copies = model.CurrentTransposedEncoder();
        long builds = copies.Builds;
        for (int i = 0; i < 3; i++) model.Encode(x, mean, logVariance);
        Assert.Equal(builds, copies.Builds);
        model.Parameters[0] = 0.25f;
        model.Encode(x, mean, logVariance);
        model.Encode(x, mean, logVariance);
        Assert.Equal(builds + 1, copies.Builds);
    }

    /// <summary>
    /// Reading <see cref="VariationalAutoencoder.Parameters"/> without writing (saving a checkpoint, say) while
    /// other threads encode: the rebuilds it triggers rewrite the copies with the same values, so every
    /// concurrent Encode still gives the same bits.
    /// </summary>
    [Fact]
    public void ReadersOfParametersDoNotDisturbConcurrentEncodes()
    {
        using var model = new VariationalAutoencoder(new VaeConfig { InputSize = 200, HiddenSizes = [64], LatentSize = 5 }, 3);
        float[] x = Images(4, 200, 0.81, new Random(5)), expected = new float[20];
        model.Encode(x, expected, new float[20]);
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            float[] mean = new float[20], logVariance = new float[20];
            for (int i = 0; i < 300; i++)
            {
                if (worker == 0) { _ = model.Parameters.Length; continue; }
                model.Encode(x, mean, logVariance);
                AssertBitwiseEqual(expected, mean, $"worker {worker}, call {i}");
            }
        });
    }

    /// <summary>
    /// The documented limit, and proof that <see cref="AssertCurrent"/> has power: a span read BEFORE an
    /// Encode call and written after it is not seen (the version moved when it was read, not when written).
    /// </summary>
    [Fact]
    public void AWriteThroughASpanHeldAcrossEncodeIsNotSeenUntilParametersIsReadAgain()
    {
        using var model = new VariationalAutoencoder(new VaeConfig { InputSize = 20, HiddenSizes = [8], LatentSize = 2 }, 1);
        float[] x = Images(3, 20, 0.0, new Random(1)), before = new float[6], stale = new float[6], after = new float[6];
        Span<float> held = model.Parameters;
        model.Encode(x, before, new float[6]);
        for (int i = 0; i < model.Layout.EncoderHidden[0].Weight.Length; i++) held[i] += 1f;
        model.Encode(x, stale, new float[6]);
        Assert.Equal(before, stale);
        (float[] truth, _) = Graph(model, x, 3);
        Assert.NotEqual(truth, stale);
        _ = model.Parameters;
        model.Encode(x, after, new float[6]);
        AssertBitwiseEqual(truth, after, "after Parameters was read again");
    }

    private static void AssertCurrent(VariationalAutoencoder model, float[] x, string when)
    {
        int rows = x.Length / model.InputSize, latent = model.LatentSize;
        (float[] mean, float[] logVariance) = Graph(model, x, rows);
        float[] m = new float[rows * latent], v = new float[rows * latent];
        model.Encode(x, m, v);
        AssertBitwiseEqual(mean, m, $"mean {when}");
        AssertBitwiseEqual(logVariance, v, $"log variance {when}");
        model.Encode(x.AsSpan(0, model.InputSize), m.AsSpan(0, latent), v.AsSpan(0, latent));
        AssertBitwiseEqual(mean.AsSpan(0, latent).ToArray(), m.AsSpan(0, latent).ToArray(), $"one image's mean {when}");
    }

    /// <summary>The graph's batch results (the blocked GEMM: at least three rows, so the batch is repeated when smaller).</summary>
    private static (float[] Mean, float[] LogVariance) Graph(VariationalAutoencoder model, float[] x, int rows)
    {
        int copies = rows >= 3 ? 1 : 3, latent = model.LatentSize;
        float[] input = Enumerable.Repeat(x, copies).SelectMany(v => v).ToArray();
        float[] mean = new float[copies * rows * latent], logVariance = new float[copies * rows * latent];
        model.EncodeThroughGraph(input, mean, logVariance);
        return (mean[..(rows * latent)], logVariance[..(rows * latent)]);
    }

    private static float[] Images(int rows, int input, double zeros, Random random)
    {
        float[] x = new float[rows * input];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextDouble() < zeros ? 0f : (float)random.NextDouble();
        return x;
    }

    private static void AssertBitwiseEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                throw new Xunit.Sdk.XunitException($"{what}: element {i} is {actual[i]:R}, the graph gives {expected[i]:R}");
    }
}
