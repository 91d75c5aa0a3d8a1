using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Vae.Simd.Kernels;

namespace Vae.Simd.Bench;

/// <summary>
/// The Bernoulli likelihood's fused kernels on one training shard (64 rows of 784 MNIST pixels, logits in
/// ±8, targets k/255), with nanoseconds per element: the forward is the widest transcendental of a step.
/// </summary>
[Config(typeof(Config))]
public class LossKernelBenchmarks : IWorkload
{
    private const int Rows = 64, Columns = 784;

    private sealed class Config : ManualConfig
    {
        // Elements per nanosecond from the median (its inverse is the ns per element the profile quotes).
        public Config() => AddColumn(new ThroughputColumn("elem/ns", 1e9));
    }

    private float[] _logits = [], _targets = [], _upstream = [], _destination = [], _gradient = [];

    /// <summary>Forward (the log-likelihood per row) or Gradient (its derivative in the logits).</summary>
    [Params("Forward", "Gradient")]
    public string Kernel { get; set; } = "Forward";

    public double Operations => Rows * Columns;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _logits = Enumerable.Range(0, Rows * Columns).Select(_ => (float)(random.NextDouble() * 16 - 8)).ToArray();
        _targets = Enumerable.Range(0, Rows * Columns).Select(_ => random.Next(256) / 255f).ToArray();
        _upstream = Enumerable.Repeat(1f, Rows).ToArray();
        _destination = new float[Rows];
        _gradient = new float[Rows * Columns];
    }

    [Benchmark]
    public void Run()
    {
        if (Kernel == "Forward") LossKernels.BernoulliLogLikelihood(_logits, _targets, Rows, Columns, _destination);
        else LossKernels.BernoulliLogLikelihoodGradient(_logits, _targets, Rows, Columns, _upstream, _gradient, add: true);
    }
}
