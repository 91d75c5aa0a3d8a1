using System.Globalization;
using System.Text.Json;
using Vae.Simd.Cli.Benchmarks;
using Vae.Simd.Kernels;

namespace Vae.Simd.Cli.Commands;

/// <summary>
/// <c>vae bench gemm|train</c>: quick, repeatable throughput figures (medians after warm-up), as text or
/// one JSON object, so engines can be compared in one run. BenchmarkDotNet suites in <c>bench/</c> give
/// the full statistics.
/// </summary>
internal sealed class BenchCommand : ICommand
{
    public string Name => "bench";
    public string Summary => "Measure GEMM GFLOP/s (bench gemm), training images/s (bench train), encoding speed (bench encode), or train against PyTorch (bench compare).";

    // bench train: the PyTorch-style model unless told otherwise, on MNIST (or dense synthetic values) as --data says.
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("shape", "MxKxN", "gemm: the product's sizes, op(A) M×K times op(B) K×N.", "128x784x400"),
        new("trans", "NN|NT|TN|TT", "gemm: transposes of A and B.", "NN"),
        new("threads", "N", "Threads to use.", "1"),
        new("reps", "N", "Timed repetitions (the median is reported).", "50"),
        new("json", null, "Print one JSON object instead of text."),
        new("batch", "M", "train: minibatch size; encode: images encoded at once (default 1000).", "128"),
        new("hidden", "N", "train: hidden width.", "400"),
        new("steps", "N", "train: timed steps per repetition.", "100"),
        new("data", "mnist|fashion-mnist|FOLDER|synthetic", "train: the data trained on (synthetic: dense uniform values, no zeros to skip); compare: the IDX data both engines train on.", "mnist"),
        new("epochs", "N", "compare: epochs each engine trains per round.", "1"),
        new("rounds", "N", "compare: rounds, alternating which engine goes first.", "3"),
        new("limit", "N", "compare: train on the first N examples only."),
        new("torch-threads", "N", "compare: threads PyTorch uses (default: --threads)."),
        new("python", "PATH", "compare: the Python interpreter with torch (default: python3, then /usr/bin/python3)."),
    ];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        string what = options.Positional.Count == 1 ? options.Positional[0]
            : throw new UsageException("say what to measure: 'vae bench gemm', 'vae bench train', 'vae bench encode' or 'vae bench compare'.");
        return what switch
        {
            "gemm" => RunGemm(options, stdout),
            "train" => TrainBenchmark.Run(options, stdout),
            "encode" => EncodeBenchmark.Run(options, stdout),
            "compare" => CompareBenchmark.Run(options, stdout, stderr),
            _ => throw new UsageException($"unknown benchmark '{what}'; expected 'gemm', 'train', 'encode' or 'compare'."),
        };
    }

    private static int RunGemm(CommandLine options, TextWriter stdout)
    {
        (int m, int k, int n) = ParseShape(options.RequiredString("shape"));
        string trans = options.Choice("trans", "NN", "NT", "TN", "TT");
        Transpose transA = trans[0] == 'T' ? Transpose.Yes : Transpose.No;
        Transpose transB = trans[1] == 'T' ? Transpose.Yes : Transpose.No;
        int threads = options.Int("threads", 1, 1024);
        int reps = options.Int("reps", 3, 100_000);

        var random = new Random(1);
        float[] a = RandomArray(random, m * k), b = RandomArray(random, k * n), c = new float[m * n];
        int lda = transA == Transpose.No ? k : m, ldb = transB == Transpose.No ? n : k;
        double flops = 2.0 * m * n * k;
        // Repeat small products inside one timed run so each timing is well above timer resolution.
        int inner = (int)Math.Clamp(2e7 / flops, 1, 10_000);
        double[] seconds = Timing.Measure(() =>
        {
            for (int i = 0; i < inner; i++)
                Gemm.Multiply(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n, threads);
        }, warmup: 3, repetitions: reps);
        double median = Timing.Median(seconds) / inner;
        double gflops = flops / median / 1e9;
        double best = flops / (seconds[0] / inner) / 1e9, worst = flops / (seconds[^1] / inner) / 1e9;

        if (options.Has("json"))
        {
            using var json = new Utf8JsonWriter(Console.OpenStandardOutput());
            json.WriteStartObject();
            json.WriteString("benchmark", "gemm");
            json.WriteNumber("m", m); json.WriteNumber("k", k); json.WriteNumber("n", n);
            json.WriteString("trans", trans);
            json.WriteNumber("threads", threads);
            json.WriteNumber("reps", reps);
            json.WriteNumber("gflops", Math.Round(gflops, 2));
            json.WriteNumber("gflops_min", Math.Round(worst, 2));
            json.WriteNumber("gflops_max", Math.Round(best, 2));
            json.WriteNumber("median_seconds", median);
            json.WriteString("path", KernelPath.Describe());
            json.WriteEndObject();
            json.Flush();
            stdout.Flush();
            Console.Out.WriteLine();
        }
        else
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gemm {trans} m={m} k={k} n={n} threads={threads}: {gflops:F1} GFLOP/s median ({worst:F1}–{best:F1}) over {reps} runs; kernels: {KernelPath.Describe()}"));
        }
        return 0;
    }

    internal static (int M, int K, int N) ParseShape(string text)
    {
        string[] parts = text.Split('x');
        if (parts.Length != 3 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 && v <= 65536))
            throw new UsageException($"option '--shape' expects MxKxN with positive sizes up to 65536, e.g. 128x784x400; got '{text}'.");
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    private static float[] RandomArray(Random random, int length)
    {
        var array = new float[length];
        for (int i = 0; i < length; i++) array[i] = (float)(random.NextDouble() * 2 - 1);
        return array;
    }
}
