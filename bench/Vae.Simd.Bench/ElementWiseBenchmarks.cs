using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Vae.Simd.Kernels;

namespace Vae.Simd.Bench;

/// <summary>
/// Element-wise kernels and transcendentals at the VAE's activation sizes (128 × 400 and 128 × 784 floats),
/// with GB/s of memory traffic (bytes read + written) and a scalar MathF loop as the baseline.
/// </summary>
[Config(typeof(Config))]
public class ElementWiseBenchmarks : IWorkload
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ThroughputColumn("GB/s", 1e9));
    }

    private float[] _x = [], _y = [], _d = [];

    /// <summary>Elements per call.</summary>
    [Params(128 * 400, 128 * 784)]
    public int Length { get; set; } = 128 * 400;

    /// <summary>The kernel.</summary>
    [Params("Add", "Axpy", "Exp", "Tanh", "Sigmoid", "Softplus", "ScalarExp")]
    public string Kernel { get; set; } = "Add";

    // Binary kernels move three arrays, unary ones two.
    public double Operations => 4.0 * Length * (Kernel is "Add" or "Axpy" ? 3 : 2);

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _x = Enumerable.Range(0, Length).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
        _y = Enumerable.Range(0, Length).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
        _d = new float[Length];
    }

    [Benchmark]
    public void Run()
    {
        switch (Kernel)
        {
            case "Add": ElementWise.Add(_x, _y, _d); break;
            case "Axpy": ElementWise.Axpy(0.5f, _x, _d); break;
            case "Exp": VectorMath.Exp(_x, _d); break;
            case "Tanh": VectorMath.Tanh(_x, _d); break;
            case "Sigmoid": VectorMath.Sigmoid(_x, _d); break;
            case "Softplus": VectorMath.Softplus(_x, _d); break;
            default:
                for (int i = 0; i < _x.Length; i++) _d[i] = MathF.Exp(_x[i]);
                break;
        }
    }
}
