using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Vae.Simd.Kernels;

namespace Vae.Simd.Bench;

/// <summary>The VAE's GEMM shapes in the transposes backpropagation uses, and 1024³, on 1 and 2 threads.</summary>
[Config(typeof(Config))]
public class GemmBenchmarks : IWorkload
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ThroughputColumn("GFLOP/s", 1e9));
    }

    private float[] _a = [], _b = [], _c = [];

    /// <summary>M×K×N of op(A)·op(B).</summary>
    [Params("128x784x400", "128x400x784", "784x128x400", "1024x1024x1024")]
    public string Shape { get; set; } = "128x784x400";

    /// <summary>Transposes of A and B.</summary>
    [Params("NN", "NT", "TN")]
    public string Trans { get; set; } = "NN";

    /// <summary>Threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    private (int M, int K, int N) Sizes
    {
        get
        {
            int[] s = Shape.Split('x').Select(int.Parse).ToArray();
            return (s[0], s[1], s[2]);
        }
    }

    public double Operations => 2.0 * Sizes.M * Sizes.K * Sizes.N;

    [GlobalSetup]
    public void Setup()
    {
        (int m, int k, int n) = Sizes;
        var random = new Random(1);
        _a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble()).ToArray();
        _b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble()).ToArray();
        _c = new float[m * n];
    }

    [Benchmark]
    public void Multiply()
    {
        (int m, int k, int n) = Sizes;
        Transpose ta = Trans[0] == 'T' ? Transpose.Yes : Transpose.No, tb = Trans[1] == 'T' ? Transpose.Yes : Transpose.No;
        Gemm.Multiply(ta, tb, m, n, k, 1f, _a, ta == Transpose.No ? k : m, _b, tb == Transpose.No ? n : k, 0f, _c, n, Threads);
    }
}
