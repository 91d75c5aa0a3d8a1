using System.Globalization;
using Vae.Simd.Autodiff;
using Vae.Simd.Data;
using Vae.Simd.Kernels;
using Vae.Simd.Model;
using Vae.Simd.Tensors;
using Vae.Simd.Training;

namespace Vae.Simd.Cli.Commands;

/// <summary>
/// <c>vae selftest</c>: the kernel, autodiff and model property checks in the shipped binary, for machines
/// where the test runner cannot go (CI runs it on ARM64 under qemu). At every lane width the machine
/// runs: each kernel against a double-precision reference on random sizes with odd tails, and bitwise
/// the same result at every width; the gradients of a small network against finite differences (double)
/// and against the float kernels; a few training steps giving the same parameters at every width.
/// Exit code 1 names each failed check.
/// </summary>
internal sealed class SelftestCommand : ICommand
{
    public string Name => "selftest";
    public string Summary => "Check the kernels, autodiff and training on this machine at every SIMD width it has.";
    public IReadOnlyList<OptionSpec> Options { get; } = [new("seed", "N", "Seed of the random problems.", "1")];

    private readonly List<string> _failures = [];
    private int _checks;

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        int seed = options.Int("seed", 0, int.MaxValue);
        LaneWidth[] widths = [.. new[] { LaneWidth.Vector256, LaneWidth.Vector128, LaneWidth.Scalar }.Where(Available)];
        stdout.WriteLine($"selftest: kernels {KernelPath.Describe()}; widths {string.Join(", ", widths)}");
        _failures.Clear();
        _checks = 0;
        Compare("kernels", widths, width => Kernels(seed, width));
        Compare("training", widths, _ => Training(seed));
        Autodiff(seed);
        foreach (string failure in _failures.Take(20)) stderr.WriteLine($"selftest: FAILED {failure}");
        if (_failures.Count > 20) stderr.WriteLine($"selftest: ... and {_failures.Count - 20} more");
        stdout.WriteLine($"selftest: {_checks - _failures.Count} of {_checks} checks passed");
        return _failures.Count == 0 ? 0 : 1;
    }

    private static bool Available(LaneWidth width)
    {
        LaneWidth saved = KernelPath.Limit;
        KernelPath.Limit = width;
        bool available = KernelPath.Width == width;
        KernelPath.Limit = saved;
        return available;
    }

    private void Expect(bool condition, string what)
    {
        _checks++;
        if (!condition) _failures.Add(what);
    }

    /// <summary>Runs <paramref name="run"/> at each width (it checks against references itself) and requires bitwise equal outputs.</summary>
    private void Compare(string what, LaneWidth[] widths, Func<LaneWidth, float[]> run)
    {
        float[]? first = null;
        LaneWidth saved = KernelPath.Limit;
        try
        {
            foreach (LaneWidth width in widths)
            {
                KernelPath.Limit = width;
                float[] result = run(width);
                if (first is null) { first = result; continue; }
                int differ = Enumerable.Range(0, result.Length).Count(i => BitConverter.SingleToInt32Bits(result[i]) != BitConverter.SingleToInt32Bits(first[i]));
                Expect(differ == 0, $"{what}: {differ} of {result.Length} values differ in their bits between {widths[0]} and {width}");
            }
        }
        finally
        {
            KernelPath.Limit = saved;
        }
    }

    private static float[] Random(Random random, int length, double low, double high)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(low + (high - low) * random.NextDouble());
        return x;
    }

    private void Near(double expected, float actual, double relative, string what)
    {
        bool ok = double.IsNaN(expected) ? float.IsNaN(actual) : Math.Abs(actual - expected) <= relative * Math.Max(1, Math.Abs(expected));
        Expect(ok, string.Create(CultureInfo.InvariantCulture, $"{what}: {actual:R} vs double {expected:R}"));
    }

    /// <summary>Every kernel once against double; returns all outputs, for the cross-width comparison.</summary>
    private float[] Kernels(int seed, LaneWidth width)
    {
        var random = new Random(seed);
        var outputs = new List<float>();
        foreach (int n in new[] { 1, 3, 4, 7, 8, 15, 16, 17, 33, 100, 1001 })
        {
            float[] x = Random(random, n, -20, 20), y = Random(random, n, -0.99, 3), positive = Random(random, n, 1e-6, 1e6), r = new float[n];
            void Unary(string name, Action<ReadOnlySpan<float>, Span<float>> kernel, float[] input, Func<double, double> reference, double tolerance)
            {
                kernel(input, r);
                for (int i = 0; i < n; i++) Near(reference(input[i]), r[i], tolerance, $"{name} n={n} at {width}");
                outputs.AddRange(r);
            }
            Unary("exp", VectorMath.Exp, x, Math.Exp, 2e-7);
            Unary("log", VectorMath.Log, positive, Math.Log, 2e-7);
            Unary("log1p", VectorMath.Log1p, y, v => v > -1 ? Math.Log(1 + v) : double.NaN, 3e-7);
            Unary("tanh", VectorMath.Tanh, y, Math.Tanh, 3e-7);
            Unary("sigmoid", VectorMath.Sigmoid, x, v => 1 / (1 + Math.Exp(-v)), 3e-7);
            Unary("softplus", VectorMath.Softplus, x, v => Math.Max(v, 0) + Math.Log(1 + Math.Exp(-Math.Abs(v))), 3e-7);
            y.CopyTo(r);
            ElementWise.Axpy(0.3f, x, r);
            for (int i = 0; i < n; i++) Near(y[i] + 0.3 * x[i], r[i], 2.5e-7, $"axpy n={n} at {width}");
            outputs.AddRange(r);
            double exactSum = y.Sum(v => (double)v), magnitude = y.Sum(v => Math.Abs((double)v));
            float sum = Reductions.Sum(y);
            Expect(Math.Abs(sum - exactSum) <= 1e-6 * magnitude + 1e-7, $"sum n={n} at {width}: {sum} vs {exactSum}");
            outputs.Add(sum);
            var loss = new float[1];
            float[] targets = Random(random, n, 0, 1);
            LossKernels.BernoulliLogLikelihood(x, targets, 1, n, loss);
            double expectedLoss = 0, lossMagnitude = 0;
            for (int i = 0; i < n; i++)
            {
                double term = targets[i] * (double)x[i] - (Math.Max(x[i], 0) + Math.Log(1 + Math.Exp(-Math.Abs(x[i]))));
                expectedLoss += term;
                lossMagnitude += Math.Abs(term);
            }
            Expect(Math.Abs(loss[0] - expectedLoss) <= 1e-6 * lossMagnitude + 1e-6, $"bernoulli n={n} at {width}: {loss[0]} vs {expectedLoss}");
            outputs.Add(loss[0]);
        }
        foreach ((int m, int n, int k) in new[] { (1, 1, 1), (7, 17, 9), (13, 33, 515), (64, 48, 100) })
            foreach (Transpose ta in new[] { Transpose.No, Transpose.Yes })
                foreach (Transpose tb in new[] { Transpose.No, Transpose.Yes })
                {
                    float[] a = Random(random, m * k, -1, 1), b = Random(random, k * n, -1, 1), c = Random(random, m * n, -1, 1), c0 = [.. c];
                    int lda = ta == Transpose.No ? k : m, ldb = tb == Transpose.No ? n : k;
                    Gemm.Multiply(ta, tb, m, n, k, 1.5f, a, lda, b, ldb, 0.5f, c, n);
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++)
                        {
                            double s = 0, size = 0;
                            for (int p = 0; p < k; p++)
                            {
                                double product = (double)(ta == Transpose.No ? a[i * lda + p] : a[p * lda + i]) * (tb == Transpose.No ? b[p * ldb + j] : b[j * ldb + p]);
                                s += product;
                                size += Math.Abs(product);
                            }
                            double expected = 1.5 * s + 0.5 * c0[i * n + j];
                            Expect(Math.Abs(c[i * n + j] - expected) <= 1e-6 * (1.5 * size + 1) + 1e-6, $"gemm {m}x{n}x{k} {ta}{tb} at {width}: C[{i},{j}] = {c[i * n + j]} vs {expected}");
                        }
                    outputs.AddRange(c);
                }
        return [.. outputs];
    }

    /// <summary>A few steps of training on synthetic data of odd sizes; returns the parameters.</summary>
    private float[] Training(int seed)
    {
        var random = new Random(seed);
        const int count = 90, features = 37;
        var data = new DenseDataset(Random(random, count * features, 0, 1), count, features, "synthetic");
        var config = new VaeConfig { InputSize = features, HiddenSizes = [19], LatentSize = 3 };
        using var model = new VariationalAutoencoder(config, (ulong)seed);
        var trainer = new Trainer(model, data, new TrainerOptions { BatchSize = 40, ShardSize = 16, Seed = (ulong)seed, Threads = 2 });
        double elbo = 0;
        for (int step = 0; step < 5; step++) elbo = trainer.TrainBatch();
        Expect(double.IsFinite(elbo) && elbo < 0, $"training at {KernelPath.Width}: ELBO {elbo}");
        return model.Parameters.ToArray();
    }

    /// <summary>A small network through most ops: double gradients against finite differences, float gradients against double.</summary>
    private void Autodiff(int seed)
    {
        var random = new Random(seed);
        const int rows = 3, inputs = 5, hidden = 4;
        double[] Values(int length) => Enumerable.Range(0, length).Select(_ => random.NextDouble() - 0.5).ToArray();
        GradCheckInput[] check =
        [
            new("w1", Values(hidden * inputs), TensorShape.Matrix(hidden, inputs)),
            new("b1", Values(hidden), TensorShape.Vector(hidden)),
            new("w2", Values(inputs * hidden), TensorShape.Matrix(inputs, hidden)),
            new("b2", Values(inputs), TensorShape.Vector(inputs)),
            new("x", Enumerable.Range(0, rows * inputs).Select(_ => random.NextDouble()).ToArray(), TensorShape.Matrix(rows, inputs), Differentiable: false),
        ];
        Var Network<T>(Tape<T> tape, IReadOnlyList<Var> v) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            Var h = tape.Linear(v[4], v[0], v[1], Activation.Tanh);
            Var g = tape.Add(tape.Sigmoid(h), tape.Softplus(tape.Relu(h)));
            Var logits = tape.Linear(g, v[2], v[3]);
            Var log = tape.Log(tape.Add(tape.Exp(logits), tape.Sigmoid(logits)));
            return tape.Subtract(tape.Sum(log), tape.Sum(tape.BernoulliLogLikelihood(logits, v[4])));
        }
        GradCheckReport report = GradCheck.Check(Network, check);
        Expect(report.Passed, $"autodiff finite differences: {report}");

        // The same function on float tapes: every float backward (the vector kernels) against the double one.
        var doubleTape = new Tape<double>();
        var floatTape = new Tape<float>();
        var dv = check.Select(c => c.Differentiable ? doubleTape.Variable(c.Values, c.Shape) : doubleTape.Input(c.Values, c.Shape)).ToArray();
        var fv = check.Select(c => c.Differentiable ? floatTape.Variable(c.Values.Select(v => (float)v).ToArray(), c.Shape)
            : floatTape.Input(c.Values.Select(v => (float)v).ToArray(), c.Shape)).ToArray();
        doubleTape.Backward(Network(doubleTape, dv));
        floatTape.Backward(Network(floatTape, fv));
        for (int i = 0; i < 4; i++)
        {
            ReadOnlySpan<double> exact = doubleTape.Gradient(dv[i]);
            ReadOnlySpan<float> single = floatTape.Gradient(fv[i]);
            double worst = 0;
            for (int j = 0; j < exact.Length; j++) worst = Math.Max(worst, Math.Abs(single[j] - exact[j]) / Math.Max(1e-3, Math.Abs(exact[j])));
            Expect(worst < 1e-4, $"autodiff float vs double gradient of {check[i].Name}: relative error {worst:E2}");
        }
    }
}
