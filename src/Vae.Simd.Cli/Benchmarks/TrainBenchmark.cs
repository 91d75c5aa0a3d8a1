using System.Globalization;
using System.Text.Json;
using Vae.Simd.Data;
using Vae.Simd.Kernels;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Cli.Benchmarks;

/// <summary>
/// <c>vae bench train</c>: training steps of the PyTorch-style MNIST VAE, on the MNIST training set by default (as
/// <c>vae train</c> reads it: bytes converted per batch, 81 % exact zeros that the first layer skips) or, with
/// <c>--data synthetic</c>, on dense uniform random values (no zeros: the dense worst case). Reports the
/// median images/s over repetitions, the bytes allocated per step in steady state, and the share of a
/// step spent in GEMM, measured by replaying the step's exact sequence of matrix products alone.
/// </summary>
internal static class TrainBenchmark
{
    /// <summary>The examples trained on: a data set as <c>--data</c> names it (its training set), or dense synthetic values.</summary>
    private static Dataset TrainingData(string source, int batch)
    {
        if (source != "synthetic") return DataSources.Load(source, Console.Error).Train;
        const int Input = 784;
        int examples = batch * 16;
        var random = new Random(1);
        float[] values = new float[examples * Input];
        for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        return new DenseDataset(values, examples, Input, "synthetic");
    }

    public static int Run(CommandLine options, TextWriter stdout)
    {
        int threads = options.Int("threads", 1, 1024), batch = options.Int("batch", 1, 100_000), hidden = options.Int("hidden", 1, 100_000);
        int steps = options.Int("steps", 1, 1_000_000), reps = Math.Min(options.Int("reps", 3, 100_000), 15);
        const int Latent = 20;
        Dataset data = TrainingData(options.RequiredString("data"), batch);
        int Input = data.Features;
        using var model = new VariationalAutoencoder(new VaeConfig { InputSize = Input, HiddenSizes = [hidden], LatentSize = Latent }, 1);
        var trainer = new Trainer(model, data, new TrainerOptions { BatchSize = batch, Threads = threads });

        // Every step's own time goes into a ring the size of the timed part, so after Measure it holds exactly
        // the timed repetitions' steps (warm-up steps were overwritten): a slow mode shows as a second peak.
        long[] stepTicks = new long[steps * reps];
        int cursor = 0;
        void Steps(int count)
        {
            for (int i = 0; i < count; i++)
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                trainer.TrainBatch();
                stepTicks[cursor] = System.Diagnostics.Stopwatch.GetTimestamp() - start;
                cursor = (cursor + 1) % stepTicks.Length;
            }
        }
        double[] seconds = Timing.Measure(() => Steps(steps), warmup: 2, repetitions: reps);
        StepHistogram histogram = StepHistogram.FromTicks(stepTicks);
        // All threads' allocations (Parallel.For allocates on the pool's threads too), and the calling thread's alone.
        long before = GC.GetTotalAllocatedBytes(precise: true), beforeThread = GC.GetAllocatedBytesForCurrentThread();
        Steps(steps);
        double bytesPerStep = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)steps;
        double threadBytesPerStep = (GC.GetAllocatedBytesForCurrentThread() - beforeThread) / (double)steps;
        double imagesPerSecond = steps * batch / Timing.Median(seconds);

        // The products of one step, per shard, from the model's own layout: each layer's forward x·Wᵀ (NT), and
        // backward dX = g·W (NN; not for the first layer, whose input is data) and dW = gᵀ·x (TN), as LinearOp runs them.
        int shard = new TrainerOptions().ShardSize, shards = (batch + shard - 1) / shard;
        var products = new List<(int M, int N, int K, Transpose A, Transpose B)>();
        ParameterLayout layout = model.Layout;
        foreach (LayerParameters layer in layout.Layers)
        {
            products.Add((shard, layer.Outputs, layer.Inputs, Transpose.No, Transpose.Yes));
            if (layer != layout.EncoderHidden[0]) products.Add((shard, layer.Inputs, layer.Outputs, Transpose.No, Transpose.No));
            products.Add((layer.Outputs, layer.Inputs, shard, Transpose.Yes, Transpose.No));
        }
        int size = products.Max(p => Math.Max(p.M * p.K, Math.Max(p.K * p.N, p.M * p.N)));
        // One output buffer per shard, as in training: shared outputs would add false sharing the trainer does not have.
        float[][] outputs = Enumerable.Range(0, shards).Select(_ => new float[size]).ToArray();
        var a = new float[size];
        var w = new float[size];
        double flopsPerStep = 0;
        foreach (var p in products) flopsPerStep += 2.0 * p.M * p.N * p.K * shards;
        void GemmOnly()
        {
            // Shards run in parallel in training; replay them the same way.
            Parallel.For(0, shards, new ParallelOptions { MaxDegreeOfParallelism = threads }, s =>
            {
                foreach (var p in products)
                    Gemm.Multiply(p.A, p.B, p.M, p.N, p.K, 1f, a, p.A == Transpose.No ? p.K : p.M, w, p.B == Transpose.No ? p.N : p.K, 1f, outputs[s], p.N);
            });
        }
        double[] gemmSeconds = Timing.Measure(() => { for (int i = 0; i < steps; i++) GemmOnly(); }, warmup: 2, repetitions: reps);
        double stepSeconds = Timing.Median(seconds) / steps, gemmStepSeconds = Timing.Median(gemmSeconds) / steps;

        if (options.Has("json"))
        {
            using var json = new Utf8JsonWriter(Console.OpenStandardOutput());
            json.WriteStartObject();
            json.WriteString("benchmark", "train");
            json.WriteString("model", $"{Input}-{hidden}-{Latent} relu bernoulli adam");
            json.WriteString("data", data.Source);
            json.WriteNumber("batch", batch);
            json.WriteNumber("threads", threads);
            json.WriteNumber("images_per_sec", Math.Round(imagesPerSecond, 0));
            json.WriteNumber("images_per_sec_min", Math.Round(steps * batch / seconds[^1], 0));
            json.WriteNumber("images_per_sec_max", Math.Round(steps * batch / seconds[0], 0));
            json.WriteNumber("step_ms", Math.Round(stepSeconds * 1e3, 4));
            json.WriteNumber("gemm_ms", Math.Round(gemmStepSeconds * 1e3, 4));
            json.WriteNumber("gemm_share", Math.Round(gemmStepSeconds / stepSeconds, 3));
            json.WriteNumber("gflops_effective", Math.Round(flopsPerStep / stepSeconds / 1e9, 1));
            json.WriteNumber("allocated_bytes_per_step", Math.Round(bytesPerStep, 1));
            json.WriteNumber("allocated_bytes_per_step_calling_thread", Math.Round(threadBytesPerStep, 1));
            json.WriteString("allocation_note", threads == 1
                ? "one thread: the trainer runs plain loops, so this is our code's own allocation"
                : "with more than one thread the trainer's one Parallel.For call a step allocates its loop state and tasks; our code allocates nothing (compare --threads 1)");
            histogram.Write(json);
            json.WriteString("path", Vae.Simd.Kernels.KernelPath.Describe());
            json.WriteEndObject();
            json.Flush();
            Console.Out.WriteLine();
        }
        else
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"train {Input}-{hidden}-{Latent} on {data.Source}, batch {batch}, {threads} threads: {imagesPerSecond:F0} images/s median ({steps * batch / seconds[^1]:F0}–{steps * batch / seconds[0]:F0}), " +
                $"{stepSeconds * 1e3:F3} ms/step of which GEMM {gemmStepSeconds * 1e3:F3} ms ({100 * gemmStepSeconds / stepSeconds:F0}%), " +
                $"{flopsPerStep / stepSeconds / 1e9:F1} GFLOP/s effective, {bytesPerStep:F0} bytes allocated per step; " +
                $"per step: median {histogram.Median * 1e3:F3} ms, p10 {histogram.P10 * 1e3:F3}, p90 {histogram.P90 * 1e3:F3}, min {histogram.Min * 1e3:F3}, max {histogram.Max * 1e3:F3}; kernels: {Vae.Simd.Kernels.KernelPath.Describe()}"));
        }
        return 0;
    }
}
