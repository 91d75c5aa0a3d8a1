using Vae.Simd.Checkpoints;
using Vae.Simd.Model;

namespace Vae.Simd.Tests.Reliability;

public class InferenceLoadTests
{
    [Fact]
    public void TenMillionEncodeCallsAcrossThreadsKeepMemorySteadyAndResultsExact()
    {
        // A small model keeps ten million calls to seconds; the code path is the one every model takes.
        using var model = new VariationalAutoencoder(new VaeConfig { InputSize = 8, HiddenSizes = [8], LatentSize = 2 }, 3);
        float[] x = [0.1f, 0.9f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.2f];
        float[] expectedMean = new float[2], expectedLogVariance = new float[2];
        model.Encode(x, expectedMean, expectedLogVariance);

        const int Threads = 4, CallsPerThread = 2_500_000, WarmupCalls = 200_000;
        long mismatches = 0, allocated = 0;
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            Span<float> mean = stackalloc float[2], logVariance = stackalloc float[2];
            // Warm-up: the thread's workspace is created, and the JIT's tiered compilation settles.
            for (int i = 0; i < WarmupCalls; i++) model.Encode(x, mean, logVariance);
            long before = GC.GetAllocatedBytesForCurrentThread(), bad = 0;
            for (int i = WarmupCalls; i < CallsPerThread; i++)
            {
                model.Encode(x, mean, logVariance);
                if (mean[0] != expectedMean[0] || logVariance[1] != expectedLogVariance[1]) bad++;
            }
            Interlocked.Add(ref allocated, GC.GetAllocatedBytesForCurrentThread() - before);
            Interlocked.Add(ref mismatches, bad);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(0, mismatches);
        // Measured on each calling thread after its first call (other tests run in parallel in this process).
        Assert.True(allocated == 0, $"{allocated} bytes allocated over {Threads * (CallsPerThread - WarmupCalls)} calls");
    }

    [Fact]
    public void ReadmeEmbeddingExampleRuns()
    {
        string path = Path.Combine(TestData.TempFolder(), "model.vae");
        using (var trained = new VariationalAutoencoder(new VaeConfig(), 1)) ModelCheckpoint.Save(path, trained);
        float[][] incoming = [.. Enumerable.Range(0, 16).Select(i => Enumerable.Range(0, 784).Select(p => (p * i % 17) / 17f).ToArray())];

        // As in README.md, "Embedding: score new data from many threads".
        using VariationalAutoencoder model = ModelCheckpoint.Load(path);
        var scores = new float[incoming.Length];
        Parallel.For(0, incoming.Length, i =>
        {
            Span<float> elbo = stackalloc float[1];
            model.Elbo(incoming[i], elbo, samples: 8, seed: 1);
            scores[i] = elbo[0];
        });

        Assert.All(scores, s => Assert.True(float.IsFinite(s) && s < 0));
        var serial = new float[1];
        model.Elbo(incoming[5], serial, samples: 8, seed: 1);
        Assert.Equal(serial[0], scores[5]);
    }
}
