using Vae.Simd.Model;

namespace Vae.Simd.Tests.Model;

public class InferenceApiTests
{
    private static readonly VaeConfig Small = new() { InputSize = 30, HiddenSizes = [16], LatentSize = 4 };

    private static float[] Batch(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows * 30).Select(_ => (float)random.NextDouble()).ToArray();
    }

    [Fact]
    public void EightThreadsGiveBitwiseTheSameResultsAsSerialCalls()
    {
        using var model = new VariationalAutoencoder(Small, 5);
        float[][] inputs = Enumerable.Range(0, 64).Select(i => Batch(1 + i % 7, i)).ToArray();
        float[][] serialMean = new float[64][], serialElbo = new float[64][];
        for (int i = 0; i < 64; i++)
        {
            int rows = inputs[i].Length / 30;
            serialMean[i] = new float[rows * 4];
            model.Encode(inputs[i], serialMean[i], new float[rows * 4]);
            serialElbo[i] = new float[rows];
            model.Elbo(inputs[i], serialElbo[i], seed: 9);
        }
        float[][] parallelMean = new float[64][], parallelElbo = new float[64][];
        Parallel.For(0, 64 * 20, new ParallelOptions { MaxDegreeOfParallelism = 8 }, k =>
        {
            int i = k % 64, rows = inputs[i].Length / 30;
            var mean = new float[rows * 4];
            var elbo = new float[rows];
            model.Encode(inputs[i], mean, new float[rows * 4]);
            model.Elbo(inputs[i], elbo, seed: 9);
            Assert.Equal(serialMean[i], mean);
            Assert.Equal(serialElbo[i], elbo);
            parallelMean[i] = mean;
        });
        Assert.All(parallelMean, m => Assert.NotNull(m));
    }

    [Fact]
    public void EncodeAndDecodeAllocateNothingInSteadyState()
    {
        using var model = new VariationalAutoencoder(Small, 6);
        float[] x = Batch(8, 1), mean = new float[32], logVar = new float[32], output = new float[240];
        model.Encode(x, mean, logVar);
        model.Decode(mean, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            model.Encode(x, mean, logVar);
            model.Decode(mean, output);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void SampleIsDeterministicPerSeedAndInRange()
    {
        using var model = new VariationalAutoencoder(Small, 7);
        float[] a = new float[5 * 30], b = new float[5 * 30], c = new float[5 * 30];
        model.Sample(5, 42, a);
        model.Sample(5, 42, b);
        model.Sample(5, 43, c);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(a, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void ReconstructDecodesTheEncoderMean()
    {
        using var model = new VariationalAutoencoder(Small, 8);
        float[] x = Batch(3, 2), mean = new float[12], logVar = new float[12], viaDecode = new float[90], viaReconstruct = new float[90];
        model.Encode(x, mean, logVar);
        model.Decode(mean, viaDecode);
        model.Reconstruct(x, viaReconstruct);
        Assert.Equal(viaDecode, viaReconstruct);
    }

    [Fact]
    public void MisuseIsReportedClearly()
    {
        var model = new VariationalAutoencoder(Small, 9);
        var e = Assert.Throws<ArgumentException>(() => model.Encode(new float[31], new float[4], new float[4]));
        Assert.Contains("30", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Encode(new float[30], new float[3], new float[4]));
        Assert.Contains("4", e.Message);
        Assert.Throws<ArgumentException>(() => new VariationalAutoencoder(Small, new float[10]));
        var bad = new float[new ParameterLayout(Small).TotalLength];
        bad[3] = float.NaN;
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => new VariationalAutoencoder(Small, bad)).Message);
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Encode(new float[30], new float[4], new float[4]));
    }

    [Fact]
    public void ConfigValidationNamesTheSetting()
    {
        Assert.Contains("LatentSize", Assert.Throws<ArgumentException>(() => (Small with { LatentSize = 0 }).Validate()).Message);
        Assert.Contains("hidden", Assert.Throws<ArgumentException>(() => (Small with { HiddenSizes = [] }).Validate()).Message);
        Assert.Contains("activation", Assert.Throws<ArgumentException>(() => (Small with { Activation = Vae.Simd.Autodiff.Activation.None }).Validate()).Message);
        Assert.Contains("Samples", Assert.Throws<ArgumentException>(() => new ElboOptions { Samples = 0 }.Validate()).Message);
    }

    [Fact]
    public void PaperInitialisationHasTheStatedSpread()
    {
        using var model = new VariationalAutoencoder(VaeConfig.Paper, 1);
        ParameterSlice w = model.Layout["encoder.0.weight"];
        float[] values = model.Parameters.Slice(w.Offset, w.Length).ToArray();
        double mean = values.Average(v => (double)v), sd = Math.Sqrt(values.Average(v => (double)v * v) - mean * mean);
        Assert.InRange(sd, 0.0099, 0.0101);
        Assert.InRange(mean, -0.0001, 0.0001);
        ParameterSlice b = model.Layout["encoder.0.bias"];
        Assert.All(model.Parameters.Slice(b.Offset, b.Length).ToArray(), v => Assert.Equal(0f, v));
    }
}
