using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Vae.Simd.Model;

namespace Vae.Simd.Bench;

/// <summary>Encode latency for one image and throughput for a batch of 1000, on the PyTorch-style MNIST model.</summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class InferenceBenchmarks : IWorkload
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ThroughputColumn("GFLOP/s", 1e9));
    }

    private VariationalAutoencoder _model = null!;
    private float[] _x = [], _mean = [], _logVariance = [];

    /// <summary>Images per call.</summary>
    [Params(1, 1000)]
    public int Batch { get; set; } = 1;

    // Encoder: 784·400 + 2·400·20 multiply-adds per image.
    public double Operations => 2.0 * Batch * (784 * 400 + 2 * 400 * 20);

    [GlobalSetup]
    public void Setup()
    {
        _model = new VariationalAutoencoder(new VaeConfig(), 1);
        var random = new Random(1);
        _x = Enumerable.Range(0, Batch * 784).Select(_ => (float)random.NextDouble()).ToArray();
        _mean = new float[Batch * 20];
        _logVariance = new float[Batch * 20];
    }

    [Benchmark]
    public void Encode() => _model.Encode(_x, _mean, _logVariance);
}
