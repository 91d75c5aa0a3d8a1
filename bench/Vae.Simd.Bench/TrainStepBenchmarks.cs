using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Bench;

/// <summary>One training step of the PyTorch-style MNIST VAE (batch 128), with images/s and allocated bytes.</summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class TrainStepBenchmarks : IWorkload
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ThroughputColumn("images/s", 1));
    }

    private Trainer _trainer = null!;

    /// <summary>Threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    public double Operations => 128;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        float[] values = Enumerable.Range(0, 128 * 16 * 784).Select(_ => (float)random.NextDouble()).ToArray();
        var data = new DenseDataset(values, 128 * 16, 784, "synthetic");
        _trainer = new Trainer(new VariationalAutoencoder(new VaeConfig(), 1), data, new TrainerOptions { Threads = Threads });
    }

    [Benchmark]
    public void Step() => _trainer.TrainBatch();
}
