using System.Globalization;
using System.Text.Json;
using Vae.Simd.Model;

namespace Vae.Simd.Cli.Benchmarks;

/// <summary>
/// <c>vae bench encode</c>: inference speed of q(z|x) on one thread — the latency of one image and the
/// throughput of a batch — for the PyTorch-style encoder (784-400-20 ReLU unless told otherwise), on
/// synthetic images that are as sparse as MNIST (81 % exact zeros), since the kernels may exploit zeros.
/// </summary>
internal static class EncodeBenchmark
{
    private const int Input = 784, Latent = 20;

    public static int Run(CommandLine options, TextWriter stdout)
    {
        int hidden = options.Int("hidden", 1, 100_000), reps = options.Int("reps", 3, 100_000);
        // --batch means the training minibatch elsewhere; here it is the batch encoded at once, 1,000 unless given.
        int batch = options.Has("batch") ? options.Int("batch", 1, 100_000) : 1000;
        using var model = new VariationalAutoencoder(new VaeConfig { HiddenSizes = [hidden], LatentSize = Latent }, 1);
        float[] images = MnistLikeImages(batch, seed: 1);
        float[] mean = new float[batch * Latent], logVariance = new float[batch * Latent];

        // One image is a few microseconds: time many calls per repetition, well above the timer's resolution.
        const int SingleCalls = 2000;
        double[] single = Timing.Measure(() =>
        {
            for (int i = 0; i < SingleCalls; i++) model.Encode(images.AsSpan((i % batch) * Input, Input), mean.AsSpan(0, Latent), logVariance.AsSpan(0, Latent));
        }, warmup: 3, repetitions: reps);
        double singleMicroseconds = Timing.Median(single) / SingleCalls * 1e6;

        double[] whole = Timing.Measure(() => model.Encode(images, mean, logVariance), warmup: 3, repetitions: reps);
        double batchImagesPerSecond = batch / Timing.Median(whole);

        // Encode runs on the calling thread: count that thread's allocations, not whatever else the process does.
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) model.Encode(images.AsSpan(0, Input), mean.AsSpan(0, Latent), logVariance.AsSpan(0, Latent));
        double bytesPerCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 100.0;

        if (options.Has("json"))
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("benchmark", "encode");
                json.WriteNumber("hidden", hidden);
                json.WriteNumber("latent", Latent);
                json.WriteNumber("threads", 1);
                json.WriteNumber("single_us", Math.Round(singleMicroseconds, 3));
                json.WriteNumber("batch", batch);
                json.WriteNumber("batch_images_per_sec", Math.Round(batchImagesPerSecond, 0));
                json.WriteNumber("bytes_per_call", bytesPerCall);
                json.WriteEndObject();
            }
            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        }
        else
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"encode 784-{hidden}-{Latent}, 1 thread: one image {singleMicroseconds:F2} us (median), batch of {batch} {batchImagesPerSecond:F0} images/s, {bytesPerCall:F0} bytes allocated per call"));
        }
        return 0;
    }

    /// <summary>Images with MNIST's statistics where it matters for speed: 81 % exact zeros, the rest uniform in (0, 1].</summary>
    internal static float[] MnistLikeImages(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count * Input];
        for (int i = 0; i < values.Length; i++)
            values[i] = random.NextDouble() < 0.81 ? 0f : (float)(1.0 - random.NextDouble());
        return values;
    }
}
